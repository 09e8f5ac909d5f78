// Window e2e: the welcome view on first run (region `Welcome`) and its `Open demo`, which starts the
// demo server and adds the demo collection; closing every tab brings the welcome view back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useWindow, win } from "./harness.mjs";

useWindow("welcome");
const welcome = '//*[@role="region" and @aria-label="Welcome"]';
const shown = () => win.wd.exec(`return !!document.querySelector('[role="region"][aria-label="Welcome"]')`);

test("the welcome view greets a first run and Open demo opens the demo collection", async () => {
  await win.wd.xpath(welcome);
  for (const name of ["Open demo", "New WebSocket request", "New SSE request", "Import collection…"]) {
    await win.wd.xpath(`${welcome}//button[normalize-space()="${name}"]`);
  }
  await win.screenshot("first-run");
  await win.wd.click(await win.wd.xpath(`${welcome}//button[normalize-space()="Open demo"]`));
  await win.wd.xpath('//*[@role="tree"]//*[@role="treeitem" and @aria-label="Sockpit demo"]');
  await win.wd.waitFor("demo URL", async () => /^ws:\/\/127\.0\.0\.1:\d+\/echo$/.test(await win.wd.property(await win.byLabel("URL"), "value")), 5000);
  assert.equal(await shown(), false, "the work area replaces the welcome view");
  await win.screenshot("demo-opened");
});

test("a new request from the welcome view opens a tab of that protocol", async () => {
  await win.wd.click(await win.wd.xpath('//button[starts-with(@aria-label, "Close tab")]'));
  await win.wd.waitFor("welcome again", shown, 5000);
  await win.wd.click(await win.wd.xpath(`${welcome}//button[normalize-space()="New Socket.IO request"]`));
  await win.wd.waitFor("welcome gone", async () => !(await shown()), 3000);
  assert.equal(await win.wd.property(await win.byLabel("Protocol"), "value"), "socketio");
  await win.screenshot("new-socketio");
});

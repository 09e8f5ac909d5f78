// Window e2e for a hook file in the Scripts tab (issue 19, "the three surfaces run the same hook
// file"): the checked-in collections/hooks/round-trips.js (the file `sockpit connect --script` and
// `sockpit run --script` take) attached through "Hook file…" (the OS dialog stubbed, harness.mjs),
// its syntax checked by the engine, run on Connect against the mock's /echo: its tests pass in the
// Tests panel. A file with a syntax error shows its line; Detach forgets the file. Then "Stop on
// script error" closing the session at a throw, and sp.vars.set(..., 'environment') saved into the
// demo's active environment with a toast.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { useWindow, win } from "./harness.mjs";

useWindow("hookfile");
const { screenshot, button, waitStatus, connect } = win;
const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

const texts = (css) => win.wd.exec(`return Array.from(document.querySelectorAll(arguments[0])).map(e => e.textContent);`, [css]);
const editorTab = (name) => win.wd.xpath(`//*[@role="tablist" and @aria-label="Request settings"]/*[@role="tab" and starts-with(normalize-space(), "${name}")]`);
const hookFileText = () => win.wd.exec(`return document.querySelector('[role="group"][aria-label="Hook file"]')?.textContent ?? ""`);

test("round-trips.js attached as a hook file runs on Connect and its tests pass in the Tests panel", async () => {
  await win.wd.click(await editorTab("Scripts"));
  await win.wd.el('[aria-label="Hook file"]');

  // A broken file: the engine's syntax error, with its line.
  const bad = join(win.dataHome, "broken.js");
  writeFileSync(bad, "function onOpen(sp) {\n  let x = ;\n}\n");
  await win.stubDialog(bad);
  await win.wd.click(await button("Hook file…"));
  await win.wd.waitFor("the syntax error with its line", async () => /line 2, column \d+/.test(await hookFileText()), 5000);
  await screenshot("syntax-error");
  await win.wd.click(await button("Detach"));
  await win.wd.waitFor("the file detached", async () => !(await hookFileText()).includes("broken.js"), 3000);

  const file = join(repo, "collections", "hooks", "round-trips.js");
  await win.stubDialog(file);
  await win.wd.click(await button("Hook file…"));
  await win.wd.waitFor("the path shown and checked", async () => {
    const t = await hookFileText();
    return t.includes(file) && t.includes("syntax OK");
  }, 5000);
  await screenshot("attached");

  await connect(`${win.mockWs}/echo`);
  const tests = '[role="region"][aria-label="Tests"]';
  await win.wd.waitFor("both tests of the file passed", async () => {
    const passed = await texts(`${tests} li[data-passed="true"]`);
    return passed.some((t) => t.includes("five round trips")) && passed.some((t) => t.includes("no gaps in the sequence"));
  }, 15000);
  assert.deepEqual(await texts(`${tests} li[data-passed="false"]`), [], "no test failed");
  // The file closed the session after the fifth echo.
  await waitStatus("Disconnected");
  await screenshot("tests-passed");

  // Detach: the next connect runs no hook file.
  await win.wd.click(await button("Detach"));
  await win.wd.waitFor("detached", async () => !(await hookFileText()).includes("round-trips.js"), 3000);
  await connect(`${win.mockWs}/echo`);
  await waitStatus("Connected");
  assert.deepEqual(await texts(tests), [], "no scripts: no Tests panel");
  await win.wd.click(await button("Disconnect"));
  await waitStatus("Disconnected");
});

test("with Stop on script error, a hook that throws closes the session", async () => {
  const pickHook = async (hook) => {
    await win.wd.click(await win.wd.xpath(`//*[@role="radiogroup" and @aria-label="Hook"]/button[@role="radio" and starts-with(normalize-space(), "${hook}")]`));
    await win.wd.waitFor(`hook ${hook}`, async () =>
      (await win.wd.exec(`return document.querySelector('[role="radiogroup"][aria-label="Hook"] [aria-checked="true"]').textContent`)).startsWith(hook), 3000);
  };
  const box = await win.wd.xpath('//label[normalize-space()="Stop on script error"]/input');
  await win.wd.click(box);
  assert.equal(await win.wd.property(box, "checked"), true);
  await pickHook("on_open");
  await win.setInput("Script", "sp.send('x')");
  await pickHook("on_message");
  await win.setInput("Script", "throw new Error('boom')");
  await connect(`${win.mockWs}/echo`);
  await waitStatus("Disconnected");
  await win.wd.waitFor("the error row and the close for it", async () => {
    const scriptRows = await texts('[role="log"][aria-label="Messages"] [data-kind="script"]');
    const closes = await texts('[role="log"][aria-label="Messages"] [data-kind="close"]');
    return scriptRows.some((t) => t.includes("boom")) && closes.some((t) => t.includes("script error"));
  }, 10000);
  await screenshot("stopped-on-error");
});

test("sp.vars.set with scope environment is saved into the active environment, with a toast", async () => {
  const item = (name) => `//ul[@role="tree"]//li[@role="treeitem" and @aria-label="${name}"]`;
  const expand = async (name) => {
    const el = await win.wd.xpath(item(name));
    if ((await win.wd.exec(`return document.querySelector('[role="treeitem"][aria-label="${name}"]').getAttribute("aria-expanded")`)) !== "true") {
      await win.wd.click(el);
    }
  };
  // The demo collection, its "local" environment active.
  await win.wd.click(await button("Open demo"));
  await expand("Sockpit demo");
  await expand("WebSocket");
  await win.wd.click(await win.wd.xpath(item("Echo")));
  await win.wd.waitFor("the demo request open", async () => (await win.wd.property(await win.byLabel("URL"), "value")) === "ws://{{host}}/echo", 5000);
  if (!(await win.wd.exec(`return !!document.querySelector('[role="radiogroup"][aria-label="Hook"]')`))) await win.wd.click(await editorTab("Scripts"));
  await win.wd.click(await win.wd.xpath(`//*[@role="radiogroup" and @aria-label="Hook"]/button[@role="radio" and starts-with(normalize-space(), "on_open")]`));
  await win.setInput("Script", "sp.vars.set('sid', 'abc-1', 'environment'); sp.close(1000, 'set')");
  await win.wd.click(await button("Connect"));
  await win.wd.waitFor("the saved toast", async () =>
    (await texts('[role="status"][aria-label="Notifications"]')).some((t) => t.includes("Saved sid to environment 'local'")), 10000);
  await screenshot("vars-saved");
});

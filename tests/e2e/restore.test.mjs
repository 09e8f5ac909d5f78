// Window e2e: the window's size survives a restart (tauri-plugin-window-state + save after resize).
import { test } from "node:test";
import assert from "node:assert/strict";
import { useWindow, win } from "./harness.mjs";

useWindow("restore");

test("the window comes back at the size it was left at", async () => {
  const before = await win.wd.cmd("GET", "/window/rect");
  const want = { width: before.width === 1000 ? 1100 : 1000, height: before.height === 700 ? 720 : 700 };
  await win.wd.cmd("POST", "/window/rect", want);
  await win.wd.waitFor("resized", async () => {
    const r = await win.wd.cmd("GET", "/window/rect");
    return r.width === want.width && r.height === want.height;
  }, 5000);
  await win.screenshot("resized");
  // The geometry is saved half a second after the last resize; the restart must not rely on a clean exit.
  await new Promise((r) => setTimeout(r, 1500));
  await win.restartApp();
  const after = await win.wd.cmd("GET", "/window/rect");
  assert.equal(after.width, want.width, `width after restart: ${JSON.stringify(after)}`);
  assert.equal(after.height, want.height, `height after restart: ${JSON.stringify(after)}`);
  await win.screenshot("restored-size");
});

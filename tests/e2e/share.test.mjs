// Window e2e: the first-run demo (mock server in the app + the shipped demo collection), export of a
// collection to a file, import of a file, and a bad import path shown where the user acted. Files
// are chosen in the OS dialog, which WebDriver cannot drive: `stubDialog` answers it at the UI's IPC
// boundary (ui/src/ipc/dialog.ts; honoured only with SOCKPIT_E2E_DIALOGS=1, which the harness sets).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { useWindow, win } from "./harness.mjs";

useWindow("share");
const { screenshot, byLabel, button, setInput, waitStatus, waitRow, chooseMode } = win;
const item = (name) => `//ul[@role="tree"]//li[@role="treeitem" and @aria-label="${name}"]`;

/** Chooses an option by its text the way a user's pick would (React sees a change event). */
async function selectOption(label, text) {
  const ok = await win.wd.exec(`
    const [label, text] = arguments;
    const sel = document.querySelector('select[aria-label="' + label + '"]');
    const opt = sel && Array.from(sel.options).find((o) => o.textContent.trim() === text);
    if (!opt) return false;
    sel.scrollIntoView({ block: "center" });
    Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, "value").set.call(sel, opt.value);
    sel.dispatchEvent(new Event("change", { bubbles: true }));
    return true;`, [label, text]);
  assert.ok(ok, `no option ${text} in ${label}`);
}

async function expand(name) {
  const el = await win.wd.xpath(item(name));
  if ((await win.wd.exec(`return document.querySelector('[role="treeitem"][aria-label="${name}"]').getAttribute("aria-expanded")`)) !== "true") {
    await win.wd.click(el);
  }
}

test("Open demo starts the mock in the app and its Echo request connects through the local environment", async () => {
  await win.wd.click(await button("Open demo"));
  await win.wd.xpath(item("Sockpit demo"));
  await expand("Sockpit demo");
  await expand("WebSocket");
  await win.wd.click(await win.wd.xpath(item("Echo")));
  await win.wd.waitFor("demo URL in the bar", async () => (await win.wd.property(await byLabel("URL"), "value")) === "ws://{{host}}/echo", 5000);
  await screenshot("demo-opened");
  await win.wd.click(await button("Connect"));
  await waitStatus("Connected");
  await chooseMode("Text");
  await setInput("Message", "demo says hi");
  await win.wd.click(await button("Send"));
  await waitRow("Messages", "in", "demo says hi");
  await screenshot("demo-echo");
  await win.wd.click(await button("Disconnect"));
  await waitStatus("Disconnected");
});

test("exports the demo collection as a Sockpit file", async () => {
  const dir = join(win.dataHome, "exports");
  mkdirSync(dir, { recursive: true });
  await win.wd.click(await button("Export…"));
  await selectOption("Export collection", "Sockpit demo");
  const file = join(dir, "Sockpit demo.sockpit.json");
  // Where to save is asked by the OS dialog, stubbed under WebDriver (harness.mjs `stubDialog`).
  await win.stubDialog(file);
  await win.wd.click(await button("Export to file…"));
  await win.wd.waitFor("export written", () => existsSync(file), 5000);
  const shared = JSON.parse(readFileSync(file, "utf8"));
  assert.equal(shared.sockpit, 1);
  assert.equal(shared.name, "Sockpit demo");
  await win.wd.waitFor("export reported", async () =>
    (await win.wd.exec(`return document.querySelector('[aria-label="Export collection"][role="dialog"]').textContent`)).includes(file), 3000);
  await screenshot("exported");
  await win.wd.click(await button("Export…"));
});

test("imports a collection file chosen in the (stubbed) dialog, and a missing file is an error naming it", async () => {
  await win.wd.click(await button("Import…"));
  const missing = join(win.dataHome, "nope", "missing.json");
  await win.stubDialog(missing);
  await win.wd.click(await button("Import file…"));
  const alert = await win.wd.el('[role="dialog"][aria-label="Import collection"] [role="alert"]');
  assert.match(await win.wd.text(alert), /missing\.json/);
  await screenshot("import-missing");

  const file = join(win.dataHome, "e2e-import.sockpit.json");
  writeFileSync(file, JSON.stringify({
    sockpit: 1,
    name: "E2E import",
    items: [{ type: "request", name: "Imported echo", protocol: "websocket", url: `${win.mockWs}/echo`, messages: [{ name: "m", body: "imported hello" }] }],
  }));
  await win.stubDialog(file);
  await win.wd.click(await button("Import file…"));
  await win.wd.waitFor("import reported", async () =>
    (await win.wd.exec(`return document.querySelector('[role="dialog"][aria-label="Import collection"]').textContent`)).includes("Imported “E2E import” from sockpit: 1 request"), 5000);
  await expand("E2E import");
  await win.wd.click(await win.wd.xpath(item("Imported echo")));
  await win.wd.waitFor("imported URL in the bar", async () => (await win.wd.property(await byLabel("URL"), "value")) === `${win.mockWs}/echo`, 5000);
  await screenshot("imported");
});

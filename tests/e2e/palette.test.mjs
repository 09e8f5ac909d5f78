// Window e2e: the command palette (Ctrl+K; role="dialog" named `Command palette` with a text input)
// runs an action by name, and the shortcuts help sheet lists the shortcuts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useWindow, win } from "./harness.mjs";

useWindow("palette");
const CTRL = "\uE009", NULL = "\uE000", ENTER = "\uE007", ESC = "\uE00C";
const palette = '[role="dialog"][aria-label="Command palette"]';
const open = (css) => win.wd.exec(`return !!document.querySelector(arguments[0])`, [css]);

async function openPalette() {
  await win.wd.type(await win.byLabel("URL"), `${CTRL}k${NULL}`);
  await win.wd.waitFor("palette open", () => open(palette), 3000);
}

test("Ctrl+K opens the palette and typing Open demo + Enter runs it", async () => {
  await openPalette();
  const input = await win.wd.el(`${palette} input`);
  await win.wd.type(input, "Open demo");
  await win.screenshot("palette-open-demo");
  await win.wd.type(input, ENTER);
  await win.wd.waitFor("palette closed", async () => !(await open(palette)), 3000);
  await win.wd.xpath('//*[@role="tree"]//*[@role="treeitem" and @aria-label="Sockpit demo"]');
  await win.wd.waitFor("demo URL", async () => /\/echo$/.test(await win.wd.property(await win.byLabel("URL"), "value")), 5000);
});

test("the palette reaches stored requests, and Escape closes it", async () => {
  await openPalette();
  const input = await win.wd.el(`${palette} input`);
  await win.wd.type(input, "Open request: Sockpit demo");
  await win.wd.waitFor("a demo request listed", async () =>
    (await win.wd.exec(`return Array.from(document.querySelectorAll('${palette} [role="option"]')).map((o) => o.textContent)`)).some((t) => t.includes("Echo")), 3000);
  await win.screenshot("palette-requests");
  await win.wd.type(input, ESC);
  await win.wd.waitFor("palette closed", async () => !(await open(palette)), 3000);
});

test("the help sheet lists the shortcuts", async () => {
  await openPalette();
  await win.wd.type(await win.wd.el(`${palette} input`), `Keyboard shortcuts${ENTER}`);
  const sheet = '[role="dialog"][aria-label="Keyboard shortcuts"]';
  await win.wd.waitFor("help open", () => open(sheet), 3000);
  const text = await win.wd.exec(`return document.querySelector(arguments[0]).textContent`, [sheet]);
  for (const k of ["Ctrl+Enter", "Ctrl+S", "Ctrl+T", "Ctrl+W", "Ctrl+F", "Ctrl+L", "Ctrl+Shift+Enter", "Ctrl+K"]) assert.ok(text.includes(k), `${k} in ${text}`);
  await win.screenshot("shortcuts");
  await win.wd.click(await win.button("Close"));
  await win.wd.waitFor("help closed", async () => !(await open(sheet)), 3000);
});

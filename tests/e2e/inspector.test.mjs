// Window e2e for the protobuf inspector (issue 16 item 5): protobuf from the mock's /proto read with
// the demo schema, a field tree beside the bytes; hovering a field highlights exactly its bytes, a
// click on a byte selects its field, and the raw read shows guessed readings.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { useWindow, win } from "./harness.mjs";

useWindow("inspector");
const { screenshot, button, waitStatus, rows, waitRow, connect } = win;
const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

const labelText = (label) => win.wd.exec(`return document.querySelector(arguments[0])?.textContent ?? null`, [`[aria-label="${label}"]`]);
const selectOption = async (label, option) => {
  await win.wd.click(await win.wd.xpath(`//select[@aria-label="${label}"]/option[starts-with(normalize-space(), "${option}")]`));
  await win.wd.waitFor(`${label} = ${option}`, async () =>
    (await win.wd.exec(`return document.querySelector('select[aria-label="${label}"]').selectedOptions[0].textContent`)).startsWith(option), 3000);
};
const TREE = '[role="tree"][aria-label="Protobuf fields"]';
const GRID = '[role="grid"][aria-label="Bytes"]';
/** The tree's items: label text, range and selection. */
const items = () => win.wd.exec(`return Array.from(document.querySelectorAll(arguments[0])).map(e => ({
  text: e.querySelector('.pi-label').textContent, all: e.textContent, path: e.dataset.path,
  range: e.querySelector('.pi-range').textContent, selected: e.getAttribute('aria-selected') === 'true' }))`, [`${TREE} [role="treeitem"]`]);
const item = async (prefix) => (await items()).find((i) => i.text.startsWith(prefix));
/** Offsets of the byte cells marked highlighted, in both the ARIA and the data attribute. */
const highlighted = () => win.wd.exec(`return Array.from(document.querySelectorAll(arguments[0])).map(c => [Number(c.dataset.offset), c.dataset.highlight ?? null])`,
  [`${GRID} [role="gridcell"][aria-selected="true"]`]);
const byteAt = (o) => win.wd.exec(`return document.querySelector(arguments[0])?.textContent`, [`${GRID} [data-offset="${o}"]`]);
const range = (r) => r.match(/\[(\d+)\.\.(\d+)\)/).slice(1).map(Number);
const span = (a, b) => Array.from({ length: b - a }, (_, i) => a + i);

/** Moves the mouse onto an element (WebDriver actions), falling back to the events a pointer would fire. */
async function hover(css) {
  const el = await win.wd.el(css);
  try {
    await win.wd.cmd("POST", "/actions", { actions: [{ type: "pointer", id: "mouse", parameters: { pointerType: "mouse" },
      actions: [{ type: "pointerMove", duration: 0, origin: { [ELEMENT]: el }, x: 0, y: 0 }] }] });
  } catch {
    await win.wd.exec(`arguments[0].dispatchEvent(new MouseEvent('mouseover', { bubbles: true }))`, [{ [ELEMENT]: el }]);
  }
}

test("the inspector opens on a protobuf row with a field tree beside its bytes", async () => {
  // A typed URL turns the welcome view into the request's work area (where Load schema is).
  await win.setInput("URL", `${win.mockWs}/proto?n=3&interval=50`);
  await win.stubDialog(join(repo, "collections", "protos", "sockpit_demo.proto"));
  await win.wd.click(await button("Load schema"));
  await win.wd.waitFor("schema loaded", async () => (await labelText("Schema file")) === "sockpit_demo.proto", 5000);
  await win.wd.click(await win.wd.xpath('//select[@aria-label="Message type"]/option[normalize-space()="sockpit.demo.Envelope"]'));
  await connect(`${win.mockWs}/proto?n=3&interval=50`);
  await waitStatus("Connected");
  await waitRow("Messages", "in", '"seq":"3"');
  assert.ok((await rows("Messages", "in")).some((t) => t.includes('"seq":"2"')));
  await win.wd.click(await win.wd.xpath(`//*[@role="log" and @aria-label="Messages"]//*[@data-direction="in" and contains(., '"seq":"2"')]`));
  await win.wd.click(await button("Inspect protobuf"));
  await win.wd.el('[role="dialog"][aria-label="Protobuf inspector"]');
  await win.wd.waitFor("field tree", async () => (await item("#1 seq (varint) = 2")) !== undefined);
  const texts = (await items()).map((i) => i.text);
  assert.ok(texts.some((t) => t.startsWith("#2 sent_at (len) = Timestamp")), texts.join("\n"));
  assert.ok(texts.some((t) => t.startsWith("#11 quote (len) = Quote")), texts.join("\n"));
  const picker = await win.wd.exec(`return Array.from(document.querySelector('select[aria-label="Read as"]').options).map(o => o.textContent)`);
  assert.equal(picker[0], "Raw (guessed readings)");
  assert.ok(picker[1].startsWith("sockpit.demo.Envelope ("), `Envelope is the first suggestion: ${picker}`);
  assert.deepEqual(await highlighted(), [], "nothing is highlighted before a field is hovered");
  await screenshot("tree");
});

test("hovering a field highlights its bytes, and only those", async () => {
  const seq = await item("#1 seq");
  await hover(`${TREE} [data-path="${seq.path}"]`);
  await win.wd.waitFor("seq's bytes", async () => (await highlighted()).length > 0, 3000);
  const [a, b] = range(seq.range);
  assert.deepEqual(await highlighted(), [[a, "head"], ...span(a + 1, b).map((o) => [o, "value"])]);
  assert.equal(await byteAt(a), "08", "field 1, varint");
  assert.equal(await byteAt(a + 1), "02", "seq = 2");
  await screenshot("hover-seq");

  // A nested field: its bytes lie inside its parent's.
  const quote = await item("#11 quote");
  const symbol = (await items()).find((i) => i.path.startsWith(`${quote.path}.`) && i.text.startsWith("#1 symbol"));
  assert.ok(symbol, "quote's symbol is shown");
  await hover(`${TREE} [data-path="${symbol.path}"]`);
  const [s, e] = range(symbol.range);
  await win.wd.waitFor("symbol's bytes", async () => (await highlighted()).map(([o]) => o).join() === span(s, e).join(), 3000);
  const [qa, qb] = range(quote.range);
  assert.ok(qa < s && e <= qb, `symbol [${s}, ${e}) lies in quote [${qa}, ${qb})`);
  await screenshot("hover-nested");
});

test("clicking a byte selects its field", async () => {
  const quote = await item("#11 quote");
  const symbol = (await items()).find((i) => i.path.startsWith(`${quote.path}.`) && i.text.startsWith("#1 symbol"));
  const [, e] = range(symbol.range);
  await win.wd.click(await win.wd.el(`${GRID} [data-offset="${e - 1}"]`));
  await win.wd.waitFor("symbol selected", async () => (await items()).filter((i) => i.selected).map((i) => i.path).join() === symbol.path, 3000);
  // The selected field's bytes stay highlighted once the pointer left the tree.
  assert.deepEqual((await highlighted()).map(([o]) => o), span(...range(symbol.range)));
  const seq = await item("#1 seq");
  await win.wd.click(await win.wd.el(`${GRID} [data-offset="${range(seq.range)[0]}"]`));
  await win.wd.waitFor("seq selected", async () => (await item("#1 seq")).selected, 3000);
  await screenshot("byte-selects-field");
});

test("raw decode shows guessed readings, and the view follows the dark theme", async () => {
  await selectOption("Read as", "Raw");
  await win.wd.waitFor("raw tree", async () => (await item("#1 (varint) = 2")) !== undefined, 5000);
  const seq = await item("#1 (varint) = 2");
  assert.match(seq.all, /sint 1/, "the zigzag reading of 2 is 1");
  const texts = (await items()).map((i) => i.all);
  assert.ok(texts.some((t) => /^#11 \(len\) = \{\d+ fields?\}/.test(t) && /bytes 0x/.test(t)), `quote reads as a nested message: ${texts.join("\n")}`);
  assert.ok(texts.some((t) => /^#1 \(len\) = "[A-Z]+"/.test(t)), `a symbol reads as a string: ${texts.join("\n")}`);
  await screenshot("raw");
  await win.wd.exec(`document.querySelector('[role="dialog"][aria-label="Protobuf inspector"]').focus()`);
  await win.wd.click(await button("Close"));
  await win.wd.waitFor("inspector closed", async () => (await win.wd.exec(`return document.querySelector('[aria-label="Protobuf inspector"]') === null`)), 3000);
  await win.wd.click(await button("Dark theme"));
  await win.wd.waitFor("dark theme", async () => (await win.wd.exec("return document.documentElement.dataset.theme")) === "dark", 3000);
  await win.wd.click(await button("Inspect protobuf"));
  await win.wd.waitFor("field tree again", async () => (await item("#1 seq (varint) = 2")) !== undefined);
  await hover(`${TREE} [data-path="${(await item("#11 quote")).path}"]`);
  await win.wd.waitFor("quote's bytes", async () => (await highlighted()).length > 0, 3000);
  await screenshot("dark");
  await win.wd.click(await button("Close"));
  await win.wd.click(await button("Light theme"));
});

// Window e2e for the message log and its inspectors: the CodeMirror composer, the JSON tree and the
// hex view of the detail pane, direction filter, clear and export, the Frames tab, protobuf decode
// with field names, and the Compare view (WebSocket /feed against SSE /sse on the mock).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { useWindow, win } from "./harness.mjs";

useWindow("log");
const { screenshot, byLabel, button, setInput, inputValue, waitStatus, rows, waitRow, chooseMode, connect } = win;
const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

const inRow = (needle) =>
  win.wd.xpath(`//*[@role="log" and @aria-label="Messages"]//*[@data-direction="in" and contains(., '${needle}')]`);
/** The text of the element with this accessible name (its textContent: WebKit's element text is empty for clipped spans). */
const labelText = (label) => win.wd.exec(`return document.querySelector(arguments[0])?.textContent ?? null`, [`[aria-label="${label}"]`]);
const texts = (css) => win.wd.exec(`return Array.from(document.querySelectorAll(arguments[0])).map(e => e.textContent);`, [css]);
const selectOption = async (label, option) => {
  await win.wd.click(await win.wd.xpath(`//select[@aria-label="${label}"]/option[normalize-space()="${option}"]`));
  await win.wd.waitFor(`${label} = ${option}`, async () =>
    (await win.wd.exec(`return document.querySelector('select[aria-label="${label}"]').selectedOptions[0].textContent`)) === option, 3000);
};
// The work area's tabs (Messages, Frames, Compare); other tab lists (requests, settings) are left alone.
const tab = async (name) => {
  await win.wd.click(await win.wd.xpath(`//*[@role="tablist" and @aria-label="Views"]/button[@role="tab" and starts-with(normalize-space(), "${name}")]`));
  await win.wd.waitFor(`tab ${name}`, async () =>
    (await win.wd.exec(`return document.querySelector('[role="tablist"][aria-label="Views"] [role="tab"][aria-selected="true"]').textContent`)).startsWith(name), 3000);
};

test("JSON sent from the CodeMirror composer shows as a collapsible JSON tree", async () => {
  const box = await win.wd.xpath('//label[normalize-space()="Record frames"]/input');
  if (!(await win.wd.property(box, "checked"))) await win.wd.click(box);
  await connect(`${win.mockWs}/echo`);
  await waitStatus("Connected");
  // The editor is CodeMirror's contenteditable, still named Message.
  assert.equal(await win.wd.exec(`return document.querySelector('[aria-label="Message"]').isContentEditable`), true);

  await chooseMode("JSON");
  await setInput("Message", '{"user":{"name":"ann"},"n":[1,2]');
  await win.wd.click(await button("Send"));
  assert.match(await win.wd.text(await win.wd.el('[role="alert"]')), /Invalid JSON/);
  assert.equal(await inputValue("Message"), '{"user":{"name":"ann"},"n":[1,2]', "the typed text is kept");
  await setInput("Message", '{"user":{"name":"ann"},"n":[1,2]}');
  // Ctrl+Enter sends.
  await win.wd.type(await byLabel("Message"), "\uE009\uE007\uE000");
  await waitRow("Messages", "in", '"ann"');
  await win.wd.click(await inRow('"ann"'));
  const tree = '[role="tree"][aria-label="JSON tree"] [role="treeitem"]';
  await win.wd.waitFor("JSON tree", async () => (await texts(tree)).some((t) => t.includes("name:") && t.includes('"ann"')));
  await screenshot("json-tree");
  await win.wd.click(await win.wd.el('[aria-label="Collapse /user"]'));
  await win.wd.waitFor("user collapsed", async () => !(await texts(tree)).some((t) => t.includes("name:")), 3000);
  assert.ok((await texts(tree)).some((t) => t.startsWith("▸user: {1}")), "the collapsed object shows its size");
});

test("hex sent shows as hex + ASCII in the detail pane", async () => {
  await chooseMode("Hex");
  await setInput("Message", "zz");
  await win.wd.click(await button("Send"));
  assert.match(await win.wd.text(await win.wd.el('[role="alert"]')), /Invalid hex/);
  await setInput("Message", "48 69 00 ff 41");
  await win.wd.click(await button("Send"));
  await waitRow("Messages", "in", "486900ff41");
  await win.wd.click(await inRow("486900ff41"));
  await win.wd.waitFor("hex view", async () => {
    const lines = await texts('[aria-label="Hex view"] [role="row"]');
    return lines.length === 1 && lines[0].startsWith("0000000048 69 00 ff 41") && lines[0].endsWith("Hi..A");
  });
  await screenshot("hex-view");
});

test("file mode sends the file's bytes as one binary message", async () => {
  const path = join(win.dataHome, "payload.bin");
  writeFileSync(path, Buffer.from([0x53, 0x6f, 0x63, 0x6b, 0x01, 0x02]));
  await chooseMode("File");
  // The file is chosen in the OS dialog, stubbed under WebDriver (harness.mjs `stubDialog`).
  await win.stubDialog(join(win.dataHome, "missing.bin"));
  await win.wd.click(await byLabel("Choose File to send"));
  await win.wd.waitFor("file chosen", async () => (await labelText("File to send path")) === "missing.bin", 3000);
  await win.wd.click(await button("Send"));
  await win.wd.waitFor("missing file error", async () => /missing\.bin/.test(await win.wd.text(await win.wd.el('[role="alert"]'))), 5000);
  await win.stubDialog(path);
  await win.wd.click(await byLabel("Choose File to send"));
  await win.wd.waitFor("file chosen", async () => (await labelText("File to send path")) === "payload.bin", 3000);
  await win.wd.click(await button("Send"));
  await waitRow("Messages", "in", "536f636b0102");
  await screenshot("file-sent");
});

test("the direction filter shows only sent or received rows", async () => {
  await selectOption("Direction", "Sent");
  await win.wd.waitFor("only sent rows", async () => (await rows("Messages", "in")).length === 0 && (await rows("Messages", "out")).length >= 2);
  assert.ok((await rows("Messages", "out")).some((t) => t.includes("486900ff41")));
  await screenshot("filter-sent");
  await selectOption("Direction", "Received");
  await win.wd.waitFor("only received rows", async () => (await rows("Messages", "out")).length === 0 && (await rows("Messages", "in")).some((t) => t.includes('"ann"')));
  await selectOption("Direction", "All");
  await win.wd.waitFor("both directions", async () => (await rows("Messages", "out")).length > 0 && (await rows("Messages", "in")).length > 0);

  const kinds = () => win.wd.exec(`return Array.from(document.querySelectorAll('[role="log"][aria-label="Messages"] [data-kind]')).map(e => e.dataset.kind)`);
  const typeBox = (name) => win.wd.xpath(`//*[@role="group" and @aria-label="Types"]//label[normalize-space()="${name}"]/input`);
  for (const k of ["text", "control", "close"]) await win.wd.click(await typeBox(k));
  await win.wd.waitFor("only binary rows", async () => {
    const k = await kinds();
    return k.length === 4 && k.every((x) => x === "binary");
  });
  await screenshot("filter-binary");
  for (const k of ["text", "control", "close"]) await win.wd.click(await typeBox(k));
  await win.wd.waitFor("every type again", async () => (await kinds()).includes("text") && (await kinds()).includes("open"));
});

test("the Frames tab lists recorded frames with their opcodes", async () => {
  await tab("Frames");
  const frame = (dir, op) => `[aria-label="Frame log"] [data-direction="${dir}"][data-opcode="${op}"]`;
  await win.wd.waitFor("text frames both ways", async () => (await texts(frame("out", "text"))).length > 0 && (await texts(frame("in", "text"))).length > 0);
  const out = await win.wd.exec(`return Array.from(document.querySelector(arguments[0]).children).map(c => c.textContent)`, [frame("out", "binary")]);
  // time, dir, FIN, RSV1, RSV2, RSV3, opcode, mask, len: a client frame is masked, the echo is not.
  assert.deepEqual(out.slice(2, 7), ["1", "0", "0", "0", "binary"]);
  assert.match(out[7], /^[0-9a-f]{8}$/);
  assert.equal(out[8], "5");
  const back = await win.wd.exec(`return Array.from(document.querySelector(arguments[0]).children).map(c => c.textContent)`, [frame("in", "binary")]);
  assert.equal(back[7], "—");
  await screenshot("frames");
  await tab("Messages");
});

test("clear empties the log and export writes the rows as JSON Lines", async () => {
  await win.wd.click(await button("Clear log"));
  await win.wd.waitFor("empty log", async () => (await rows("Messages", "in")).length === 0 && (await rows("Messages", "out")).length === 0);
  await chooseMode("Text");
  await setInput("Message", "after clear");
  await win.wd.click(await button("Send"));
  await waitRow("Messages", "in", "after clear");
  const path = join(win.dataHome, "export.jsonl");
  await win.stubDialog(path);
  await win.wd.click(await button("Export log"));
  // The export's toast (role="status" named Notifications), with "Open folder".
  await win.wd.waitFor("export toast", async () => (await win.wd.exec('return document.querySelector(\'[role="status"][aria-label="Notifications"]\')?.textContent || ""')).includes(`rows to ${path}`));
  assert.ok(existsSync(path));
  const lines = readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(lines.filter((l) => l.kind === "text").map((l) => [l.dir, l.text]), [["out", "after clear"], ["in", "after clear"]]);
  assert.ok(!lines.some((l) => (l.text || "").includes("ann")), "cleared rows are not exported");
  assert.deepEqual(lines.map((l) => l.index), lines.map((_, i) => i));
  await screenshot("cleared-exported");
});

test("protobuf: the demo schema decodes /proto messages with field names", async () => {
  await win.stubDialog(join(repo, "collections", "protos", "sockpit_demo.proto"));
  await win.wd.click(await button("Load schema"));
  await win.wd.waitFor("schema loaded", async () => (await labelText("Schema file")) === "sockpit_demo.proto", 5000);
  await selectOption("Message type", "sockpit.demo.Envelope");
  await connect(`${win.mockWs}/proto?n=3&interval=50`);
  await waitStatus("Connected");
  await waitRow("Messages", "in", '"seq":"3"');
  const decoded = (await rows("Messages", "in")).filter((t) => t.includes('"seq"'));
  assert.equal(decoded.length, 3);
  assert.ok(decoded.every((t) => t.includes('"headers":{"feed":"demo"}') && t.includes('"sentAt"')), decoded.join("\n"));
  await win.wd.click(await inRow('"seq":"2"'));
  await win.wd.waitFor("protobuf tree", async () => (await texts('[aria-label="Protobuf tree"] [role="treeitem"]')).some((t) => t.includes("quote:")));
  await screenshot("protobuf-decoded");

  await chooseMode("Protobuf JSON");
  await win.wd.click(await button("Skeleton"));
  await win.wd.waitFor("skeleton", async () => (await inputValue("Message")).includes('"seq"'), 3000);
  await setInput("Message", '{"seq":"77","chat":{"user":"zoe","text":"from the composer"}}');
  await win.wd.click(await button("Send"));
  // The mock echoes the binary message; it decodes back with the same type.
  await waitRow("Messages", "in", '"text":"from the composer"');
  await screenshot("protobuf-sent");
  await selectOption("Message type", "(no type: show hex)");
});

test("Compare pairs the WebSocket /feed with the SSE /sse by /id", async () => {
  await tab("Compare");
  await setInput("Compare WebSocket URL", `${win.mockWs}/feed?n=8&interval=20`);
  await setInput("Compare SSE URL", `${win.mockHttp}/sse?n=8&interval=20&done=1`);
  await setInput("Key pointer", "/id");
  await win.wd.click(await button("Start compare"));
  await win.wd.waitFor("8 paired rows", async () => (await texts('[aria-label="Compare items"] tbody tr[data-key]')).length === 8, 15000);
  const keys = await win.wd.exec(`return Array.from(document.querySelectorAll('[aria-label="Compare items"] tbody tr[data-key]')).map(r => r.dataset.key)`);
  assert.deepEqual([...keys].sort((a, b) => a - b), ["1", "2", "3", "4", "5", "6", "7", "8"]);
  const cells = await texts('[aria-label="Compare items"] tbody tr[data-key] td:nth-child(4)');
  assert.ok(cells.every((c) => /^-?\d+\.\d ms$/.test(c)), cells.join(","));
  await win.wd.waitFor("summary", async () => {
    const s = await win.wd.text(await win.wd.el('[aria-label="Compare summary"]'));
    return /matched 8/.test(s) && /mismatched 0/.test(s) && /missing on WS 0/.test(s);
  }, 15000);
  await screenshot("compare");
});

test("the composer and the detail pane follow the dark theme", async () => {
  await tab("Messages");
  await win.wd.click(await button("Dark theme"));
  await win.wd.waitFor("dark theme", async () => (await win.wd.exec("return document.documentElement.dataset.theme")) === "dark", 3000);
  await chooseMode("JSON");
  await setInput("Message", '{"theme":"dark","ok":true}');
  // The editor's text takes the theme's foreground, not CodeMirror's light default.
  const colors = await win.wd.exec(`return [getComputedStyle(document.querySelector('.cm-editor')).color, getComputedStyle(document.body).color]`);
  assert.equal(colors[0], colors[1]);
  await screenshot("dark-composer");
  await win.wd.click(await button("Light theme"));
});

// Window e2e: a composer draft per request tab; "Copy as sockpit connect" (palette) and "Copy as
// websocat" (a tab's context menu) put the engine's command line on the OS clipboard with a toast;
// "Copy message" copies a log row. The clipboard is read back through `e2e_clipboard_text`, a
// command the app answers only under SOCKPIT_E2E_DIALOGS=1 (the harness sets it), like the dialog stub.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useWindow, win } from "./harness.mjs";

useWindow("copy");
const { button, setInput, inputValue, chooseMode, screenshot } = win;
const CTRL = "\uE009", NULL = "\uE000", ENTER = "\uE007";
const palette = '[role="dialog"][aria-label="Command palette"]';
const toasts = '[role="status"][aria-label="Notifications"]';

const tabXpath = (name) => `//*[@role="tablist" and @aria-label="Requests"]//button[@role="tab" and contains(normalize-space(), "${name}")]`;
const requestTab = (name) => win.wd.xpath(tabXpath(name));
const mode = () => win.wd.exec(`return document.querySelector('select[aria-label="Mode"]').value`);
const toastTexts = () => win.wd.exec(`return Array.from(document.querySelectorAll('${toasts} .toast-text')).map((e) => e.textContent)`);

/** The OS clipboard's text, read by the app (e2e only). */
async function clipboard() {
  return win.wd.execAsync(`const done = arguments[arguments.length - 1];
    window.__TAURI_INTERNALS__.invoke("e2e_clipboard_text").then(done, (e) => done("error: " + JSON.stringify(e)));`);
}

async function waitClipboard(what, test) {
  let last = "";
  await win.wd.waitFor(`clipboard holds ${what}`, async () => test((last = await clipboard())), 5000)
    .catch((e) => { throw new Error(`${e.message}; clipboard: ${last}`); });
  return last;
}

test("each request tab keeps its own composer draft", async () => {
  await setInput("URL", `${win.mockWs}/echo`);
  await setInput("Request name", "Tab one");
  await setInput("Message", "draft of tab one");
  await win.wd.click(await win.byLabel("New tab"));
  await setInput("URL", `${win.mockWs}/echo?two`);
  await setInput("Request name", "Tab two");
  assert.equal(await inputValue("Message"), "", "a new tab starts with an empty draft");
  await chooseMode("JSON");
  await setInput("Message", '{"tab": 2}');
  await win.wd.click(await requestTab("Tab one"));
  await win.wd.waitFor("tab one's draft", async () => (await inputValue("Message")) === "draft of tab one", 3000);
  assert.equal(await mode(), "text");
  await win.wd.click(await requestTab("Tab two"));
  await win.wd.waitFor("tab two's draft", async () => (await inputValue("Message")) === '{"tab": 2}', 3000);
  assert.equal(await mode(), "json");
  await screenshot("draft-per-tab");
});

test("the palette copies the request as a sockpit connect line, with a toast", async () => {
  await win.wd.click(await requestTab("Tab one"));
  // A variable stays a reference in the copied line.
  await setInput("URL", "ws://{{host}}/echo");
  await win.wd.type(await win.byLabel("URL"), `${CTRL}k${NULL}`);
  await win.wd.waitFor("palette open", () => win.wd.exec(`return !!document.querySelector(arguments[0])`, [palette]), 3000);
  const input = await win.wd.el(`${palette} input`);
  await win.wd.type(input, "Copy as sockpit connect");
  await win.wd.type(input, ENTER);
  const line = await waitClipboard("the sockpit line", (t) => t.startsWith("sockpit connect"));
  assert.equal(line.trim(), 'sockpit connect "ws://${host}/echo"');
  await win.wd.waitFor("copied toast", async () => (await toastTexts()).includes("Copied sockpit connect command"), 3000);
  await screenshot("copied-toast");
});

test("a tab's context menu copies it as websocat", async () => {
  const find = "document.evaluate(arguments[0], document, null, 9, null).singleNodeValue";
  await win.wd.exec(`const e = ${find}; const r = e.getBoundingClientRect();
    e.dispatchEvent(new MouseEvent("contextmenu", { bubbles: true, cancelable: true, clientX: r.left + 10, clientY: r.bottom }));`,
  [tabXpath("Tab two")]);
  const item = '//*[@role="menu" and @aria-label="Actions for tab Tab two"]//button[@role="menuitem" and normalize-space()="Copy as websocat"]';
  assert.match(await win.wd.exec(`return ${find}?.title ?? ""`, [item]), /secret values are never copied/);
  await screenshot("tab-menu");
  await win.wd.click(await win.wd.xpath(item));
  const line = await waitClipboard("the websocat line", (t) => t.includes("websocat"));
  assert.ok(line.includes(`websocat "${win.mockWs}/echo?two"`), line);
});

test("Copy message copies a log row", async () => {
  await win.wd.click(await requestTab("Tab one"));
  await win.connect(`${win.mockWs}/echo`);
  await chooseMode("Text");
  await setInput("Message", "copy me please");
  await win.wd.click(await button("Send"));
  await win.waitRow("Messages", "in", "copy me please");
  await win.wd.click(await win.wd.xpath(`//*[@role="log" and @aria-label="Messages"]//*[@data-direction="in" and contains(., 'copy me please')]`));
  await win.wd.click(await button("Copy message"));
  await waitClipboard("the message", (t) => t === "copy me please");
  await win.wd.waitFor("copied toast", async () => (await toastTexts()).some((t) => /^Copied message #\d+$/.test(t)), 3000);
});

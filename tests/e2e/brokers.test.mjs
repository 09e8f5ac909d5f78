// Window e2e for STOMP and MQTT requests before the window has their views: the demo's "STOMP
// topic" opens on a read-only panel (protocol, subscriptions, saved SENDs) with Connect off and
// saying why, "Copy as sockpit stomp" puts the engine's command line on the clipboard (read back
// through `e2e_clipboard_text`, as in copy.test.mjs), and Ctrl+S saves it without losing its
// destination, headers or subscription (read back from the store with `request_get`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { useWindow, win } from "./harness.mjs";

useWindow("brokers");
const { screenshot, byLabel, button } = win;
const CTRL = "\uE009", NULL = "\uE000";
const item = (name) => `//ul[@role="tree"]//li[@role="treeitem" and @aria-label="${name}"]`;
const panel = '[aria-label="STOMP request"]';
const toasts = '[role="status"][aria-label="Notifications"]';
const toastTexts = () => win.wd.exec(`return Array.from(document.querySelectorAll('${toasts} .toast-text')).map((e) => e.textContent)`);

async function expand(name) {
  const el = await win.wd.xpath(item(name));
  if ((await win.wd.exec(`return document.querySelector('[role="treeitem"][aria-label="${name}"]').getAttribute("aria-expanded")`)) !== "true") {
    await win.wd.click(el);
  }
}

/** A Tauri command's answer (or `{error}`), called the way the UI calls it. */
function invoke(cmd, args = {}) {
  return win.wd.execAsync(`const [cmd, args, done] = arguments;
    window.__TAURI_INTERNALS__.invoke(cmd, args).then(done, (e) => done({ error: e }));`, [cmd, args]);
}

async function clipboard() {
  return win.wd.execAsync(`const done = arguments[arguments.length - 1];
    window.__TAURI_INTERNALS__.invoke("e2e_clipboard_text").then(done, (e) => done("error: " + JSON.stringify(e)));`);
}

/** The store id of the request `name` in the tree. */
async function requestId(name) {
  const find = (nodes) => nodes.flatMap((n) => (n.name === name && n.kind === "request" ? [n.id] : find(n.children)));
  const ids = find(await invoke("store_tree"));
  assert.equal(ids.length, 1, `one request named ${name}`);
  return ids[0];
}

test("the demo's STOMP topic opens on its panel, with Connect off and saying why", async () => {
  await win.wd.click(await button("Open demo"));
  await expand("Sockpit demo");
  await expand("STOMP and MQTT");
  await win.wd.click(await win.wd.xpath(item("STOMP topic")));
  await win.wd.waitFor("the STOMP panel", () => win.wd.exec(`return !!document.querySelector(arguments[0])`, [panel]), 5000);
  const text = await win.wd.text(await win.wd.el(panel));
  assert.match(text, /STOMP request/);
  assert.match(text, /sockpit run/);
  assert.match(text, /\/topic\/demo \(ack client\)/, "the subscription is listed");
  assert.match(text, /greeting → \/topic\/demo · content-type:text\/plain/, "a saved SEND and where it goes");
  const connect = await button("Connect");
  assert.equal(await win.wd.property(connect, "disabled"), true, "Connect is off");
  assert.match(await win.wd.exec(`return document.querySelector(".connbar button[type=submit]").title`),
    /cannot connect a STOMP request yet.*sockpit run/);
  await screenshot("stomp-panel");
});

test("Copy as sockpit stomp puts the engine's command line on the clipboard", async () => {
  await win.wd.click(await button("Copy as sockpit stomp"));
  let last = "";
  await win.wd.waitFor("the stomp line", async () => (last = await clipboard()).startsWith("sockpit stomp"), 5000)
    .catch((e) => { throw new Error(`${e.message}; clipboard: ${last}`); });
  assert.ok(last.includes("ws://${host}/stomp"), last);
  assert.ok(last.includes("/topic/demo"), last);
  await win.wd.waitFor("copied toast", async () => (await toastTexts()).includes("Copied sockpit stomp command"), 3000);
});

test("Ctrl+S saves it without losing its destination, headers or subscription", async () => {
  await win.wd.type(await byLabel("Request name"), `${CTRL}s${NULL}`);
  await win.wd.waitFor("saved toast", async () => (await toastTexts()).some((t) => t.includes("Saved “STOMP topic”")), 5000);
  const stored = await invoke("request_get", { id: await requestId("STOMP topic") });
  assert.equal(stored.error, undefined, JSON.stringify(stored.error));
  assert.equal(stored.spec.protocol, "stomp");
  assert.deepEqual(stored.spec.messages.map((m) => m.destination), ["/topic/demo", "/topic/demo"]);
  assert.deepEqual(stored.spec.messages[0].headers, ["content-type:text/plain"]);
  assert.equal(stored.spec.settings.stomp.subscriptions[0].destination, "/topic/demo");
  assert.equal(stored.spec.settings.stomp.heartbeat, "1000,1000");
});

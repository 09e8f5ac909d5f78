// Window e2e for STOMP and MQTT requests against the built-in mock (Open demo starts it and points
// the demo's `local` environment at it): "MQTT sensors" connects with its saved subscription, a
// saved publish goes out in one click and comes back decoded (topic, QoS, payload) with the
// subscription's count rising, a wildcard publish topic is refused with the engine's words, and a
// subscription added here is listed; "STOMP topic" connects, a SEND from the composer comes back as
// a MESSAGE of its subscription, a header without a colon is refused; the palette's "Copy as
// sockpit stomp" puts the engine's line on the clipboard, and Ctrl+S keeps the request whole.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useWindow, win } from "./harness.mjs";

useWindow("brokers");
const { screenshot, byLabel, button, setInput, waitStatus } = win;
const CTRL = "\uE009", NULL = "\uE000", ENTER = "\uE007";
const item = (name) => `//ul[@role="tree"]//li[@role="treeitem" and @aria-label="${name}"]`;
const toasts = '[role="status"][aria-label="Notifications"]';
const palette = '[role="dialog"][aria-label="Command palette"]';
const toastTexts = () => win.wd.exec(`return Array.from(document.querySelectorAll('${toasts} .toast-text')).map((e) => e.textContent)`);
const texts = (css) => win.wd.exec(`return Array.from(document.querySelectorAll(arguments[0])).map(e => e.textContent);`, [css]);
const count = (target) => win.wd.exec(`return document.querySelector(arguments[0])?.textContent ?? null`, [`[aria-label="Received on ${target}"]`]);
const errorText = () => win.wd.exec(`return document.querySelector('[data-testid="broker-error"]')?.textContent ?? ""`);

async function expand(name) {
  const el = await win.wd.xpath(item(name));
  if ((await win.wd.exec(`return document.querySelector('[role="treeitem"][aria-label="${name}"]').getAttribute("aria-expanded")`)) !== "true") {
    await win.wd.click(el);
  }
}

/** Opens the demo request `name` in a tab and waits for its protocol view (a lazy chunk) to mount. */
async function openDemoRequest(name) {
  await win.wd.click(await win.wd.xpath(item(name)));
  await win.wd.waitFor(`the tab of ${name}`, async () =>
    (await win.wd.exec(`return document.querySelector('[role="tablist"][aria-label="Requests"] [role="tab"][aria-selected="true"]')?.textContent || ""`)).includes(name), 5000);
  await win.wd.waitFor("the protocol view", () => win.wd.exec(`return !!document.querySelector('[role="tabpanel"] .broker-view')`), 10000);
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

test("the demo's MQTT sensors subscribes on connect, publishes a saved message and counts it back", async () => {
  await win.wd.click(await button("Open demo"));
  await expand("Sockpit demo");
  await expand("STOMP and MQTT");
  await openDemoRequest("MQTT sensors");
  assert.equal(await win.wd.exec(`return document.querySelector('select[aria-label="Protocol"]').value`), "mqtt");
  assert.equal(await count("demo/+/temp"), "0");
  await win.wd.click(await button("Connect"));
  await waitStatus("Connected");
  const rows = '[role="log"][aria-label="MQTT frames"] .proto-row';
  await win.wd.waitFor("the SUBACK of the saved subscription", async () => (await texts(rows)).some((t) => t.includes("SUBACK") && t.includes("granted [2]")), 5000);

  await win.wd.click(await byLabel("Publish kitchen"));
  await win.wd.waitFor("the publish back, decoded", async () =>
    (await texts(`${rows}[data-kind="packet"][data-direction="in"]`)).some((t) => t.includes("PUBLISH demo/kitchen/temp QoS 1") && t.includes('{"c":21.5}')), 5000)
    .catch(async (e) => { throw new Error(`${e.message}; log: ${JSON.stringify(await texts(rows))}; error: ${await errorText()}`); });
  await win.wd.waitFor("the subscription's count rises", async () => (await count("demo/+/temp")) === "1", 5000);

  await setInput("Publish topic", "demo/+/temp");
  await setInput("Publish payload", "x");
  await win.wd.click(await button("Publish"));
  await win.wd.waitFor("the wildcard refused", async () => (await errorText()).includes("no wildcards"), 3000);

  await setInput("Subscribe topic filter", "demo/#");
  await win.wd.click(await byLabel("Add subscription"));
  await win.wd.waitFor("the new subscription listed", async () => (await count("demo/#")) === "0", 3000)
    .catch(async (e) => { throw new Error(`${e.message}; subs: ${JSON.stringify(await texts('[data-testid="subscription"]'))}; error: ${await errorText()}; field: ${await win.inputValue("Subscribe topic filter")}`); });
  await setInput("Publish topic", "demo/attic/temp");
  await setInput("Publish payload", '{"c":30}');
  await win.wd.click(await button("Publish"));
  await win.wd.waitFor("both subscriptions count it", async () => (await count("demo/+/temp")) === "2" && (await count("demo/#")) === "1", 5000);
  await screenshot("mqtt-sensors");
  await win.wd.click(await button("Disconnect"));
  await waitStatus("Disconnected");
});

test("the demo's STOMP topic sends from the composer and gets the MESSAGE of its subscription", async () => {
  await openDemoRequest("STOMP topic");
  assert.equal(await win.wd.exec(`return document.querySelector('select[aria-label="Protocol"]').value`), "stomp");
  await win.wd.click(await button("Connect"));
  await waitStatus("Connected");
  const rows = '[role="log"][aria-label="STOMP frames"] .proto-row';
  await win.wd.waitFor("CONNECTED and the SUBSCRIBE", async () => (await texts(rows)).some((t) => t.includes("SUBSCRIBE /topic/demo [sub-0]")), 5000);
  await setInput("SEND destination", "/topic/demo");
  await setInput("SEND headers", "priority 5");
  await setInput("SEND body", "hello window");
  await win.wd.click(await button("Send"));
  await win.wd.waitFor("the header refused", async () => (await errorText()).includes("has no ':'"), 3000)
    .catch(async (e) => { throw new Error(`${e.message}; log: ${JSON.stringify(await texts(rows))}; error: ${await errorText()}; fields: ${await win.inputValue("SEND destination")}|${await win.inputValue("SEND headers")}`); });
  await setInput("SEND headers", "content-type:text/plain");
  await win.wd.click(await button("Send"));
  await win.wd.waitFor("the MESSAGE back", async () =>
    (await texts(`${rows}[data-direction="in"]`)).some((t) => t.includes("MESSAGE /topic/demo [sub-0] hello window")), 5000);
  await win.wd.waitFor("the subscription's count", async () => (await count("/topic/demo")) === "1", 5000);
  await screenshot("stomp-topic");
  await win.wd.click(await button("Disconnect"));
  await waitStatus("Disconnected");
});

test("the palette copies a STOMP request as a sockpit stomp line", async () => {
  await win.wd.type(await win.byLabel("URL"), `${CTRL}k${NULL}`);
  await win.wd.waitFor("palette open", () => win.wd.exec(`return !!document.querySelector(arguments[0])`, [palette]), 3000);
  const input = await win.wd.el(`${palette} input`);
  await win.wd.type(input, "Copy as sockpit stomp");
  await win.wd.type(input, ENTER);
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

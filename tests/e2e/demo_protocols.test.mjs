// Window e2e for the demo's "Socket.IO and GraphQL" folder against the built-in mock (Open demo starts
// it in the app and points the demo collection's `local` environment at it): "Socket.IO chat"
// connects to /chat with its auth token, an emit with an ack sees the ack threaded to it, and a saved
// emit loads and goes out; "GraphQL subscription" lists its saved operations, and one click runs the
// counting subscription (each `next` a JSON tree, then complete) and the query. Run through
// tests/e2e/run.sh.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useWindow, win } from "./harness.mjs";

useWindow("demo-protocols");
const { screenshot, byLabel, button, setInput, waitStatus } = win;
const item = (name) => `//ul[@role="tree"]//li[@role="treeitem" and @aria-label="${name}"]`;
const texts = (css) => win.wd.exec(`return Array.from(document.querySelectorAll(arguments[0])).map(e => e.textContent);`, [css]);
const sio = '[role="log"][aria-label="Socket.IO events"] .proto-row';
const op = '[aria-label="Operations"] li[data-state]';

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
  await win.wd.waitFor("the protocol view", () => win.wd.exec(`return !!document.querySelector('[role="tabpanel"] .proto-view')`), 10000);
}

test("the demo's Socket.IO chat joins /chat, threads an ack to its emit and sends a saved emit", async () => {
  await win.wd.click(await button("Open demo"));
  await expand("Sockpit demo");
  await expand("Socket.IO and GraphQL");
  await openDemoRequest("Socket.IO chat");
  assert.equal(await win.wd.exec(`return document.querySelector('select[aria-label="Protocol"]').value`), "socketio");
  assert.equal(await win.inputValue("URL"), "http://{{host}}/");
  await win.wd.click(await button("Connect"));
  await waitStatus("Connected");
  await win.wd.waitFor("/chat connected with the demo token", async () => (await texts(sio)).some((t) => t.includes("connected /chat")));
  await win.wd.waitFor("the joined greeting", async () =>
    (await texts(`${sio}[data-kind="event"][data-direction="in"]`)).some((t) => t.includes("joined") && t.includes('["/chat"]')), 5000);

  await setInput("Event", "echo");
  await setInput("Arguments", '["hi", 1]');
  await win.wd.click(await win.wd.xpath('//label[normalize-space()="Ack"]/input'));
  await win.wd.click(await button("Emit"));
  await win.wd.waitFor("the ack threaded to its emit", async () =>
    (await texts(`${sio}[data-kind="ack"][data-direction="in"]`)).some((t) => t.includes("↩ echo") && t.includes('["hi",1]')), 5000);
  await win.wd.waitFor("the emit marked answered", async () =>
    (await texts(`${sio}[data-kind="event"][data-direction="out"]`)).some((t) => t.includes("echo") && t.includes("answered")), 5000);
  await win.wd.waitFor("the echo event", async () =>
    (await texts(`${sio}[data-kind="event"][data-direction="in"]`)).some((t) => t.includes("echo") && t.includes('["hi",1]')), 5000);
  await screenshot("socketio-chat-ack");

  // A saved emit of the request loads into the composer and goes out: "chat" is broadcast to the
  // namespace, the sender too.
  await win.wd.click(await win.wd.xpath('//select[@aria-label="Saved emits"]/option[normalize-space()="chat"]'));
  await win.wd.waitFor("the saved emit loaded", async () => (await win.inputValue("Event")) === "chat", 3000);
  await win.wd.click(await button("Emit"));
  await win.wd.waitFor("the chat broadcast", async () =>
    (await texts(`${sio}[data-kind="event"][data-direction="in"]`)).some((t) => t.includes("chat") && t.includes("hi all")), 5000);
  await win.wd.click(await button("Disconnect"));
  await waitStatus("Disconnected");
});

test("the demo's GraphQL subscription runs its saved operations with one click", async () => {
  await openDemoRequest("GraphQL subscription");
  assert.equal(await win.wd.exec(`return document.querySelector('select[aria-label="Protocol"]').value`), "graphql");
  const saved = await texts('[aria-label="Saved operations"] li');
  assert.deepEqual(saved.map((t) => t.replace(/Edit$/, "").replace("▶", "").trim()), ["hello", "add", "count"]);
  await win.wd.click(await button("Connect"));
  await waitStatus("Connected");
  await win.wd.waitFor("connection_ack", async () =>
    (await texts('[aria-label="GraphQL session"]')).some((t) => t.includes("connection_ack received")), 5000);

  await win.wd.click(await byLabel("Run saved operation count"));
  await win.wd.waitFor("count complete", async () =>
    (await texts(`${op}[data-state="complete"]`)).some((t) => t.includes("#1 count") && t.includes("3 results")), 10000);
  const results = '[aria-label="Results"] [role="tree"]';
  await win.wd.waitFor("each next a JSON tree", async () => {
    const trees = await texts(results);
    return trees.length === 3 && [1, 2, 3].every((n, i) => trees[i].includes("count:") && trees[i].includes(String(n)));
  }, 3000);
  await screenshot("graphql-saved-count");

  await win.wd.click(await byLabel("Run saved operation hello"));
  await win.wd.waitFor("hello complete", async () =>
    (await texts(`${op}[data-state="complete"]`)).some((t) => t.includes("#2 hello") && t.includes("1 result")), 10000);
  await win.wd.waitFor("hello's result", async () => (await texts(results)).some((t) => t.includes("hello sockpit")), 3000);
  await screenshot("graphql-saved-hello");
  await win.wd.click(await button("Disconnect"));
  await waitStatus("Disconnected");
});

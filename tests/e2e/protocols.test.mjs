// Window e2e for Socket.IO and GraphQL requests: created in the sidebar with their protocol, connected,
// a Socket.IO emit with an ack threaded to it (listeners hide it by name, the raw frames one tab away),
// a server event asking for an ack answered with Reply (the server emits what it got back), a volatile
// emit to a namespace not connected dropped and said so, and a GraphQL subscription whose results and
// completion show in the operations list. The servers are the Node peers of tests/peers (the real
// `socket.io` 4 and `graphql-ws`), started here; demo_protocols.test.mjs drives the built-in mock's.
// Run through tests/e2e/run.sh.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { useWindow, win } from "./harness.mjs";

useWindow("protocols");
const { screenshot, byLabel, button, setInput, waitStatus } = win;
const peersDir = resolve(dirname(fileURLToPath(import.meta.url)), "..", "peers");
const ENTER = "\uE007";
const peers = [];

/** Starts `tests/peers/<script>` under Node; resolves with the port it prints first. */
function startPeer(script, args = []) {
  assert.ok(existsSync(join(peersDir, "node_modules", "socket.io")), "install the test peers first: ./scripts/test-deps.sh");
  return new Promise((resolvePort, reject) => {
    const p = spawn("node", [join(peersDir, script), ...args], { cwd: peersDir, stdio: ["ignore", "pipe", "inherit"] });
    peers.push(p);
    let buf = "";
    const timer = setTimeout(() => reject(new Error(`${script} printed no port`)), 15000);
    p.stdout.on("data", (d) => {
      buf += d;
      const m = buf.match(/^(\d+)\s*$/m);
      if (m) { clearTimeout(timer); resolvePort(Number(m[1])); }
    });
    p.once("exit", (c) => reject(new Error(`${script} exited ${c}`)));
  });
}
after(() => { for (const p of peers) p.kill("SIGTERM"); });

const item = (name) => `//ul[@role="tree"]//li[@role="treeitem" and @aria-label="${name}"]`;
const texts = (css) => win.wd.exec(`return Array.from(document.querySelectorAll(arguments[0])).map(e => e.textContent);`, [css]);
async function choose(selectLabel, optionText) {
  await win.wd.click(await win.wd.xpath(`//select[@aria-label="${selectLabel}"]/option[normalize-space()="${optionText}"]`));
  await win.wd.waitFor(`${selectLabel} = ${optionText}`, async () =>
    (await win.wd.exec(`return document.querySelector('select[aria-label="${selectLabel}"]').selectedOptions[0].textContent`)) === optionText, 3000);
}
/** The work area's tabs (Socket.IO/GraphQL, Messages, Frames, Compare). */
const viewTab = async (name) => {
  await win.wd.click(await win.wd.xpath(`//*[@role="tablist" and @aria-label="Views"]/button[@role="tab" and starts-with(normalize-space(), "${name}")]`));
  await win.wd.waitFor(`tab ${name}`, async () =>
    (await win.wd.exec(`return document.querySelector('[role="tablist"][aria-label="Views"] [role="tab"][aria-selected="true"]').textContent`)).startsWith(name), 3000);
};
const selectedView = () => win.wd.exec(`return document.querySelector('[role="tablist"][aria-label="Views"] [role="tab"][aria-selected="true"]').textContent`);

/** A new request of `protocol` in the "Protocols" collection (created on first use), opened in a tab. */
async function newRequest(protocol, name) {
  if ((await win.wd.findAll("xpath", item("Protocols"))).length === 0) {
    await win.wd.click(await byLabel("New collection"));
    await win.wd.type(await byLabel("Collection name"), `Protocols${ENTER}`);
  }
  await win.wd.click(await win.wd.xpath(item("Protocols")));
  await choose("New request protocol", protocol);
  await win.wd.click(await byLabel("New request"));
  await win.wd.xpath(item(name));
  await win.wd.waitFor("the new request's tab", async () =>
    (await win.wd.exec(`return document.querySelector('[role="tablist"][aria-label="Requests"] [role="tab"][aria-selected="true"]').textContent`)).includes(name), 5000);
  // The protocol's view is a lazy chunk: let it mount before typing anything, so the typing does not
  // race it.
  await win.wd.waitFor("the protocol view", () => win.wd.exec(`return !!document.querySelector('[role="tabpanel"] .proto-view')`), 10000);
}

test("a Socket.IO request emits with an ack, sees the ack threaded to its emit, and hides events by listener", async () => {
  const port = await startPeer("socketio_server.js");
  await newRequest("Socket.IO", "New Socket.IO request");
  assert.equal(await win.wd.exec(`return document.querySelector('select[aria-label="Protocol"]').value`), "socketio");
  assert.ok((await selectedView()).startsWith("Socket.IO"), "a Socket.IO request opens on its events tab");

  await setInput("URL", `http://127.0.0.1:${port}/`);
  await win.wd.click(await button("Connect"));
  await waitStatus("Connected");
  const sio = '[role="log"][aria-label="Socket.IO events"] .proto-row';
  await win.wd.waitFor("namespace / connected", async () => (await texts(sio)).some((t) => t.includes("connected /")));

  await setInput("Event", "ack-me");
  await setInput("Arguments", '["hi", 42]');
  await win.wd.click(await win.wd.xpath('//label[normalize-space()="Ack"]/input'));
  await win.wd.click(await button("Emit"));
  const ackRow = `${sio}[data-kind="ack"][data-direction="in"]`;
  await win.wd.waitFor("the ack threaded to its emit", async () => (await texts(ackRow)).some((t) => t.includes("↩ ack-me") && t.includes('["hi",42]')));
  await win.wd.waitFor("the emit marked answered", async () =>
    (await texts(`${sio}[data-kind="event"][data-direction="out"]`)).some((t) => t.includes("ack-me") && t.includes("answered")));
  await screenshot("socketio-ack");

  // A bad argument list is refused with the engine's words, and nothing is sent.
  await setInput("Arguments", '["hi",');
  await win.wd.click(await button("Emit"));
  await win.wd.waitFor("args error", async () => (await texts('[data-testid="sio-error"]')).some((t) => t.includes("not JSON")), 3000);

  // Listeners: hiding "ack-me" hides its emit and its ack.
  await win.wd.click(await win.wd.xpath('//fieldset[@aria-label="Listeners"]//label[normalize-space()="ack-me"]/input'));
  await win.wd.waitFor("ack-me hidden", async () => !(await texts(sio)).some((t) => t.includes("ack-me")), 3000);
  await screenshot("socketio-listener-hidden");

  // The server asks for an ack ("ask" makes it emit "question" with one); Reply answers it, and the
  // server emits "answered" with what it got.
  await win.wd.click(await win.wd.xpath('//label[normalize-space()="Ack"]/input'));
  await setInput("Event", "ask");
  await setInput("Arguments", "");
  await win.wd.click(await button("Emit"));
  const reply = await win.wd.xpath('//button[starts-with(@aria-label, "Reply to question #")]');
  await win.wd.click(reply);
  await win.wd.xpath('//*[@role="group" and @aria-label="Ack reply"]');
  await setInput("Ack arguments", '["yes", 2]');
  await win.wd.click(await button("Send ack"));
  await win.wd.waitFor("the reply threaded to the question", async () =>
    (await texts(`${sio}[data-kind="ack"][data-direction="out"]`)).some((t) => t.includes("↩ question") && t.includes('["yes",2]')), 5000);
  await win.wd.waitFor("the server got the reply", async () =>
    (await texts(`${sio}[data-kind="event"][data-direction="in"]`)).some((t) => t.includes("answered") && t.includes('["yes",2]')), 5000);
  assert.equal((await win.wd.findAll("xpath", '//button[starts-with(@aria-label, "Reply to question #")]')).length, 0, "an answered event has no Reply");
  await screenshot("socketio-ack-reply");

  // A volatile emit to a namespace that is not connected is dropped, and the events say so.
  await setInput("Namespace", "/later");
  await win.wd.click(await win.wd.xpath('//label[normalize-space()="Volatile"]/input'));
  await win.wd.click(await button("Emit"));
  await win.wd.waitFor("the volatile emit dropped", async () =>
    (await texts(`${sio}[data-kind="protocol_error"]`)).some((t) => t.includes("socketio.volatile_dropped") && t.includes("/later")), 5000);
  await win.wd.click(await win.wd.xpath('//label[normalize-space()="Volatile"]/input'));
  await setInput("Namespace", "");

  // The raw Engine.IO/Socket.IO frames are one tab away.
  // (The peer pings every 300 ms, so the emit's row may have scrolled away: search for it.)
  await viewTab("Messages");
  await setInput("Search messages", '["ack-me","hi",42]');
  await win.wd.waitFor("the raw emit found in Messages", async () =>
    /^1\/[1-9]\d*$/.test(await win.wd.exec('return document.querySelector(".hits")?.textContent || ""')), 5000);
  await screenshot("socketio-raw-frames");
  await setInput("Search messages", "");
  await win.wd.click(await button("Disconnect"));
  await waitStatus("Disconnected");
});

test("a GraphQL request runs a subscription and shows its results and completion", async () => {
  const port = await startPeer("graphql_server.js", ["transport"]);
  await newRequest("GraphQL", "New GraphQL request");
  assert.ok((await selectedView()).startsWith("GraphQL"), "a GraphQL request opens on its operations tab");
  await setInput("URL", `ws://127.0.0.1:${port}/graphql`);
  // The request's GraphQL settings, saved through the store and read back.
  await win.wd.click(await win.wd.xpath('//*[@role="tablist" and @aria-label="Request settings"]/*[@role="tab" and normalize-space()="GraphQL"]'));
  await choose("GraphQL subprotocol", "graphql-transport-ws (graphql-ws library)");
  await setInput("Init payload", '{"hello": "there"}');
  await win.wd.click(await button("Save"));
  await win.wd.waitFor("saved", async () => (await texts('[role="status"][aria-label="Notifications"] .toast-text')).some((t) => t.startsWith("Saved")), 5000);
  assert.equal(await win.wd.exec(`return document.querySelector('select[aria-label="GraphQL subprotocol"]').value`), "graphql-transport-ws");
  assert.equal(await win.inputValue("Init payload"), '{"hello": "there"}');
  await win.wd.click(await button("Connect"));
  await waitStatus("Connected");
  assert.equal(await win.wd.exec(`return document.querySelector('[aria-label="Query"]').isContentEditable`), true, "the query editor is CodeMirror");
  await win.wd.waitFor("connection_ack", async () =>
    (await texts('[aria-label="GraphQL session"]')).some((t) => t.includes("graphql-transport-ws · connection_ack received")), 5000);

  await setInput("Query", "subscription Count($to: Int!) { count(to: $to, delayMs: 50) }");
  await setInput("Variables", '{"to": 3}');
  await win.wd.click(await button("Run"));
  const op = '[aria-label="Operations"] li[data-state]';
  await win.wd.waitFor("operation 1 complete", async () => (await texts(`${op}[data-state="complete"]`)).some((t) => t.includes("#1") && t.includes("3 results")), 10000);
  const results = '[aria-label="Results"] [role="tree"] [role="treeitem"]';
  await win.wd.waitFor("the last result as a JSON tree", async () => (await texts(results)).some((t) => t.includes("count:") && t.includes("3")), 3000);
  await screenshot("graphql-complete");

  // A long subscription runs until stopped.
  await setInput("Variables", '{"to": 1000}');
  await win.wd.click(await button("Run"));
  await win.wd.waitFor("operation 2 running", async () => (await texts(`${op}[data-state="running"]`)).some((t) => t.includes("#2")), 5000);
  await win.wd.click(await byLabel("Stop operation 2"));
  await win.wd.waitFor("operation 2 stopped", async () => (await texts(`${op}[data-state="stopped"]`)).some((t) => t.includes("#2")), 5000);
  await screenshot("graphql-stopped");
  await win.wd.click(await button("Disconnect"));
  await waitStatus("Disconnected");
});

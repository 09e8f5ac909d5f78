// Window e2e for the sidebar and the request editor: collections tree (create, rename, duplicate,
// delete), an environment variable in the URL, a header and bearer auth seen by the mock, the
// upgrade report, a rejected handshake, and history. Run through tests/e2e/run.sh.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useWindow, win } from "./harness.mjs";

useWindow("sidebar");
const { screenshot, byLabel, button, setInput, waitStatus, waitRow } = win;

const item = (name) => `//ul[@role="tree"]//li[@role="treeitem" and @aria-label="${name}"]`;
const hasItem = async (name) => (await win.wd.findAll("xpath", item(name))).length > 0;
const tab = (name) => win.wd.xpath(`//*[@role="tablist" and @aria-label="Request settings"]/*[@role="tab" and starts-with(normalize-space(), "${name}")]`);
/** Opens a tab of the request editor (a second click would fold it). */
async function openTab(name) {
  const t = await tab(name);
  if ((await win.wd.exec(`return arguments[0].getAttribute("aria-selected")`, [{ "element-6066-11e4-a52e-4f735466cecf": t }])) !== "true") await win.wd.click(t);
}
/** Presses a key in the element: WebDriver keys, or a dispatched keydown where the driver refuses. */
async function press(el, key, code) {
  try {
    await win.wd.type(el, code);
  } catch {
    await win.wd.exec(`arguments[0].focus(); arguments[0].dispatchEvent(new KeyboardEvent("keydown", { key: "${key}", bubbles: true }));`, [{ "element-6066-11e4-a52e-4f735466cecf": el }]);
  }
}
const ENTER = "\uE007";

async function choose(selectLabel, optionText) {
  await win.wd.click(await win.wd.xpath(`//select[@aria-label="${selectLabel}"]/option[normalize-space()="${optionText}"]`));
  await win.wd.waitFor(`${selectLabel} = ${optionText}`, async () =>
    (await win.wd.exec(`return document.querySelector('select[aria-label="${selectLabel}"]').selectedOptions[0].textContent`)) === optionText, 3000);
}

/** Connects the active tab to `url` (disconnecting first) with the Connect button. */
async function connectTo(url) {
  if ((await win.statusText()) !== "Disconnected") {
    await win.wd.click(await button("Disconnect"));
    await waitStatus("Disconnected");
  }
  await setInput("URL", url);
  await win.wd.click(await button("Connect"));
}

const alerts = () => win.wd.exec(`return Array.from(document.querySelectorAll('[role="alert"]')).map(e => e.textContent)`);

test("creates a collection and a request in it, renames, duplicates and deletes", async () => {
  await win.wd.click(await byLabel("New collection"));
  await win.wd.type(await byLabel("Collection name"), `E2E coll${ENTER}`);
  await win.wd.xpath(item("E2E coll"));

  await win.wd.click(await win.wd.xpath(item("E2E coll")));
  await win.wd.click(await byLabel("New request"));
  await win.wd.xpath(item("New request"));
  assert.equal(await win.wd.exec(`return document.querySelector('${'[role="tab"][aria-selected="true"]'}').textContent`), "New request");
  await screenshot("created");

  await win.wd.click(await win.wd.xpath(item("New request")));
  await win.wd.click(await byLabel("Rename"));
  await setInput("Rename New request", "Echo req");
  await win.wd.type(await byLabel("Rename New request"), ENTER);
  await win.wd.xpath(item("Echo req"));
  assert.equal(await hasItem("New request"), false, "the old name is gone");

  await win.wd.click(await win.wd.xpath(item("Echo req")));
  await win.wd.click(await byLabel("Duplicate"));
  await win.wd.xpath(item("Echo req copy"));
  await screenshot("duplicated");

  await win.wd.click(await win.wd.xpath(item("Echo req copy")));
  await win.wd.click(await byLabel("Delete"));
  await win.wd.waitFor("the copy is deleted", async () => !(await hasItem("Echo req copy")), 5000);
  assert.equal(await hasItem("Echo req"), true, "the original stays");
  // Keyboard: the tree moves its selection with the arrow keys.
  await win.wd.click(await win.wd.xpath(item("E2E coll")));
  if ((await win.wd.exec(`return document.querySelector('[role="treeitem"][aria-label="E2E coll"]').getAttribute("aria-expanded")`)) !== "true") {
    await press(await win.wd.xpath(item("E2E coll")), "ArrowRight", "\uE014");
  }
  await press(await win.wd.xpath(item("E2E coll")), "ArrowDown", "\uE015");
  await win.wd.waitFor("ArrowDown selects the request", async () =>
    (await win.wd.exec(`return document.querySelector('[role="treeitem"][aria-selected="true"]')?.getAttribute('aria-label')`)) === "Echo req", 3000);
  await screenshot("deleted");
});

test("an environment variable {{host}} in the URL is resolved on connect", async () => {
  await win.wd.click(await button("New environment"));
  await choose("Environment collection", "E2E coll");
  await win.wd.type(await byLabel("Environment name"), "local");
  await win.wd.click(await button("Create environment"));
  await win.wd.waitFor("local is active", async () =>
    (await win.wd.exec(`return document.querySelector('select[aria-label="Active environment"]').selectedOptions[0].textContent`)) === "local (E2E coll)", 5000);
  await win.wd.click(await button("Add variable"));
  await setInput("Variable name 1", "host");
  await setInput("Variable value 1", win.mockWs.replace("ws://", ""));
  await win.wd.click(await button("Save environment"));

  // Unknown variables are flagged and refused before connecting; the URL stays as typed.
  await connectTo("ws://{{nohost}}/echo");
  await win.wd.waitFor("unknown variable alert", async () => (await alerts()).some((t) => t.includes("Unknown variable {{nohost}}")), 5000);
  assert.equal(await win.wd.property(await byLabel("URL"), "value"), "ws://{{nohost}}/echo");
  assert.equal(await win.statusText(), "Disconnected");
  assert.ok(await win.wd.find("css selector", '.url-mirror mark.var-unknown[data-variable="nohost"]'));
  await screenshot("unknown-variable");

  await connectTo("ws://{{host}}/echo");
  await win.wd.waitFor("host is known", async () => (await win.wd.findAll("css selector", ".url-mirror mark.var-unknown")).length === 0, 5000);
  await waitStatus("Connected");
  await setInput("Message", "via env");
  await win.wd.click(await button("Send"));
  await waitRow("Messages", "in", "via env");
  await screenshot("env-connected");
});

test("the upgrade report shows the 101 and the headers", async () => {
  await win.wd.click(await win.wd.xpath('//details[@aria-label="Upgrade report"]/summary'));
  const status = await win.wd.text(await byLabel("Upgrade status"));
  assert.equal(status, "101");
  const sent = await win.wd.text(await byLabel("Request sent"));
  assert.match(sent, /^GET \/echo HTTP\/1\.1/);
  assert.match(await win.wd.text(await byLabel("Response received")), /sec-websocket-accept/i);
  await screenshot("upgrade-report");
});

test("a header from the Headers tab reaches the mock's /headers", async () => {
  await openTab("Headers");
  await win.wd.click(await button("Add header"));
  await setInput("Header name 1", "X-E2e");
  await setInput("Header value 1", "sockpit-e2e");
  await connectTo(`${win.mockWs}/headers`);
  await waitStatus("Connected");
  await waitRow("Messages", "in", '"x-e2e":"sockpit-e2e"');
  await screenshot("header-seen");
});

test("bearer auth is accepted by /auth/header", async () => {
  await openTab("Auth");
  await choose("Auth type", "Bearer token");
  await setInput("Token", "demo-token");
  await connectTo(`${win.mockWs}/auth/header`);
  await waitStatus("Connected");
  await waitRow("Messages", "in", '"via":"bearer"');
  await screenshot("bearer-auth");
  // Saved with the request and back after reopening it from the tree: the literal token went to the
  // secret store on save, so the field now holds the secret variable that carries it.
  await win.wd.click(await button("Save"));
  await win.wd.click(await byLabel("Close tab Echo req"));
  await win.wd.click(await win.wd.xpath(item("Echo req")));
  await openTab("Auth");
  await win.wd.waitFor("auth reloaded", async () =>
    (await win.wd.exec(`return document.querySelector('select[aria-label="Auth type"]').value`)) === "bearer", 5000);
  assert.equal(await win.wd.property(await byLabel("Token"), "value"), "{{auth_echo_req_token}}");
  // The SSE pane beside it uses the request's auth: /auth/sse/bearer lets it in.
  await setInput("SSE URL", `${win.mockHttp}/auth/sse/bearer?n=2`);
  await win.wd.click(await button("Subscribe"));
  await waitRow("Events", "in", '"via":"bearer"');
  await screenshot("sse-bearer");
  // The mock ends the stream after two events; stop the reconnects if it is still live.
  const stop = await win.wd.findAll("xpath", '//button[normalize-space()="Unsubscribe"]');
  if (stop.length) await win.wd.click(stop[0]);
});

test("a rejected handshake shows the status and the body", async () => {
  await connectTo(`${win.mockWs}/reject?status=401&body=nope`);
  await win.wd.waitFor("rejection alert", async () => (await alerts()).some((t) => t.includes("401") && t.includes("nope")), 10000);
  const shown = (await alerts()).find((t) => t.includes("401"));
  assert.match(shown, /ws\.handshake_rejected/);
  assert.equal(await win.wd.property(await byLabel("URL"), "value"), `${win.mockWs}/reject?status=401&body=nope`, "the URL is kept");
  await screenshot("rejected-401");
});

test("history lists the connections and opens one in a new tab", async () => {
  await win.wd.click(await button("Refresh history"));
  const texts = () => win.wd.exec(`return Array.from(document.querySelectorAll('ul[aria-label="History"] button')).map(e => e.textContent)`);
  await win.wd.waitFor("history entries", async () => {
    const t = await texts();
    return t.some((x) => x.includes("/headers")) && t.some((x) => x.includes("/reject?status=401") && x.includes("ws.handshake_rejected"));
  }, 10000);
  const tabs = () => win.wd.exec(`return document.querySelectorAll('[role="tablist"][aria-label="Requests"] [role="tab"]').length`);
  const before = await tabs();
  await win.wd.click(await win.wd.xpath('//ul[@aria-label="History"]//button[contains(., "/headers")]'));
  await win.wd.waitFor("a new tab", async () => (await tabs()) === before + 1, 3000);
  assert.equal(await win.wd.property(await byLabel("URL"), "value"), `${win.mockWs}/headers`);
  await screenshot("history");
});

test("each request tab keeps its own connection and log", async () => {
  const requestTab = (i) => win.wd.xpath(`(//*[@role="tablist" and @aria-label="Requests"]//*[@role="tab"])[${i}]`);
  const tabCount = () => win.wd.exec(`return document.querySelectorAll('[role="tablist"][aria-label="Requests"] [role="tab"]').length`);
  const messages = () => win.wd.exec(`return document.querySelectorAll('[role="log"][aria-label="Messages"] [data-direction="in"]').length`);
  // Tab A: connected to /echo with one echo in its log.
  await win.wd.click(await byLabel("New tab"));
  const a = await tabCount();
  await connectTo(`${win.mockWs}/echo`);
  await waitStatus("Connected");
  await win.setInput("Message", "only in tab A");
  await win.wd.click(await button("Send"));
  await waitRow("Messages", "in", "only in tab A");
  // Tab B: a new tab has no connection and an empty log, and tab A stays connected meanwhile.
  await win.wd.click(await byLabel("New tab"));
  await waitStatus("Disconnected");
  assert.equal(await messages(), 0);
  assert.match(await win.wd.exec(`return document.querySelectorAll('[role="tablist"][aria-label="Requests"] [role="tab"]')[${a - 1}].textContent`), /^● /);
  await connectTo(`${win.mockWs}/echo`);
  await waitStatus("Connected");
  await win.setInput("Message", "only in tab B");
  await win.wd.click(await button("Send"));
  await waitRow("Messages", "in", "only in tab B");
  await screenshot("tab-b-connected");
  // Back to A: still connected, its own log.
  await win.wd.click(await requestTab(a));
  await waitStatus("Connected");
  await waitRow("Messages", "in", "only in tab A");
  assert.ok(!(await win.rows("Messages", "in")).some((t) => t.includes("only in tab B")));
  // Closing tab B disconnects it; A is untouched.
  await win.wd.click(await win.wd.xpath(`(//*[@role="tablist" and @aria-label="Requests"]//button[starts-with(@aria-label, "Close tab")])[${a + 1}]`));
  await win.wd.waitFor("tab B closed", async () => (await tabCount()) === a, 3000);
  await waitStatus("Connected");
  await win.wd.click(await button("Disconnect"));
  await waitStatus("Disconnected");
  await screenshot("tab-a-back");
});

test("moves a request into a folder and reorders it there", async () => {
  await win.wd.click(await win.wd.xpath(item("E2E coll")));
  await win.wd.click(await byLabel("New folder"));
  await win.wd.type(await byLabel("Folder name"), `F1${ENTER}`);
  await win.wd.xpath(item("F1"));

  await win.wd.click(await win.wd.xpath(item("Echo req")));
  // The select acts on change and goes back to "Move to…", so only the option is clicked.
  await win.wd.click(await win.wd.xpath('//select[@aria-label="Move to folder"]/option[normalize-space()="E2E coll / F1"]'));
  const level = (name) => win.wd.exec(`return document.querySelector('[role="treeitem"][aria-label="${name}"]')?.getAttribute("aria-level")`);
  await win.wd.waitFor("Echo req inside F1", async () => (await level("Echo req")) === "3", 5000);

  await win.wd.click(await win.wd.xpath(item("Echo req")));
  await win.wd.click(await byLabel("Duplicate"));
  await win.wd.xpath(item("Echo req copy"));
  const order = () => win.wd.exec(`return Array.from(document.querySelectorAll('[role="treeitem"]')).map(e => e.getAttribute("aria-label"))`);
  const before = (a, b) => async () => { const o = await order(); return o.indexOf(a) >= 0 && o.indexOf(a) < o.indexOf(b); };
  assert.ok(await before("Echo req", "Echo req copy")(), `copy after the original: ${await order()}`);
  await win.wd.click(await win.wd.xpath(item("Echo req copy")));
  await win.wd.click(await byLabel("Move up"));
  await win.wd.waitFor("copy moved up", before("Echo req copy", "Echo req"), 5000);
  assert.equal(await level("Echo req copy"), "3");
  await screenshot("moved");
  await win.wd.click(await byLabel("Move down"));
  await win.wd.waitFor("copy moved down", before("Echo req", "Echo req copy"), 5000);
});

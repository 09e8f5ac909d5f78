// Window e2e: drives the real Sockpit window (tauri-driver + WebKitWebDriver, under Xvfb) against the mock.
// Run through tests/e2e/run.sh, which builds what is needed and sets SOCKPIT_APP, SOCKPIT_BIN, TAURI_DRIVER.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useWindow, win } from "./harness.mjs";

useWindow("window");
const { screenshot, byLabel, button, statusText, setInput, waitStatus, rows, waitRow, chooseMode, connect, restartApp } = win;

test("window opens with the contract's controls", async () => {
  // A first run opens on the welcome view (issue 16); a new WebSocket request shows the work area.
  const start = '//*[@role="region" and @aria-label="Welcome"]//button[normalize-space()="New WebSocket request"]';
  await win.wd.click(await win.wd.xpath(start));
  for (const label of ["URL", "Message", "SSE URL", "Search messages"]) await byLabel(label);
  for (const name of ["Connect", "Send", "Subscribe", "Save"]) await button(name);
  assert.equal(await statusText(), "Disconnected");
  await win.wd.el('[role="log"][aria-label="Messages"]');
  await win.wd.el('[role="log"][aria-label="Events"]');
  await screenshot("opened");
});

test("connects to /echo and sees text, JSON and hex echoed", async () => {
  await connect(`${win.mockWs}/echo`);
  await waitStatus("Connected");
  await screenshot("connected");

  await chooseMode("Text");
  await setInput("Message", "hello sockpit");
  await win.wd.click(await button("Send"));
  await waitRow("Messages", "out", "hello sockpit");
  await waitRow("Messages", "in", "hello sockpit");
  await screenshot("text-echo");

  await chooseMode("JSON");
  await setInput("Message", '{"n":');
  await win.wd.click(await button("Send"));
  const alert = await win.wd.el('[role="alert"]');
  assert.match(await win.wd.text(alert), /Invalid JSON/);
  assert.equal(await win.inputValue("Message"), '{"n":', "the typed text is kept");
  await screenshot("json-invalid");
  await setInput("Message", '{"n":1,"ok":true}');
  await win.wd.click(await button("Send"));
  await waitRow("Messages", "in", '{"n":1,"ok":true}');
  await screenshot("json-echo");

  await chooseMode("Hex");
  await setInput("Message", "de ad be ef");
  await win.wd.click(await button("Send"));
  await waitRow("Messages", "in", "deadbeef");
  await screenshot("hex-echo");
});

test("search finds a message in the log", async () => {
  await setInput("Search messages", "sockpit");
  await win.wd.waitFor("search hits", async () => /^1\/\d+$/.test(await win.wd.exec('return document.querySelector(".hits")?.textContent || ""')), 5000);
  await setInput("Search messages", "");
});

test("status goes to Reconnecting and back after /drop", async () => {
  await connect(`${win.mockWs}/drop?ms=300&key=e2e-${Date.now()}&times=1`, true);
  await win.wd.exec(`
    window.__states = [];
    const el = document.querySelector('[role="status"]');
    window.__states.push(el.textContent);
    new MutationObserver(() => window.__states.push(el.textContent)).observe(el, { childList: true, characterData: true, subtree: true });
  `);
  await win.wd.waitFor("Reconnecting seen", async () => (await win.wd.exec("return window.__states")).includes("Reconnecting"), 10000, 20);
  await screenshot("reconnecting");
  await waitStatus("Connected", 15000);
  const states = await win.wd.exec("return window.__states");
  const r = states.indexOf("Reconnecting");
  assert.ok(r >= 0 && states.slice(r).includes("Connected"), `states: ${states}`);
  await chooseMode("Text");
  await setInput("Message", "after reconnect");
  await win.wd.click(await button("Send"));
  await waitRow("Messages", "in", "after reconnect");
  await screenshot("reconnected");
});

test("shows the close code and its name after /close?code=4001", async () => {
  await connect(`${win.mockWs}/close?code=4001&reason=e2e-bye`);
  await waitStatus("Disconnected");
  const info = await win.wd.text(await byLabel("Last close"));
  assert.match(info, /4001 Private/);
  assert.match(info, /e2e-bye/);
  await waitRow("Messages", "in", "4001 Private");
  await screenshot("closed-4001");
});

test("switches to the dark theme", async () => {
  await win.wd.click(await byLabel("Toggle theme"));
  await win.wd.waitFor("dark theme", async () => (await win.wd.exec("return document.documentElement.dataset.theme")) === "dark", 3000);
  await screenshot("dark-theme");
});

test("subscribes to /sse and sees events", async () => {
  await setInput("SSE URL", `${win.mockHttp}/sse?n=5&interval=50`);
  await win.wd.click(await button("Subscribe"));
  await win.wd.waitFor("5 events", async () => {
    const n = await win.wd.exec(`return document.querySelectorAll('[role="log"][aria-label="Events"] [data-kind="event"]').length`);
    return n >= 5;
  });
  await screenshot("sse-events");
});

test("a saved request with two messages is there after a restart", async () => {
  await setInput("Request name", "Echo e2e");
  await setInput("URL", `${win.mockWs}/echo`);
  // The first kept without a name (named after its text), the second as JSON under a name.
  for (const [m, mode, name] of [["first kept", "Text", ""], ['{"second":2}', "JSON", "second (JSON)"]]) {
    await chooseMode(mode);
    await setInput("Message", m);
    if (name) await setInput("Message name", name);
    await win.wd.click(await button("Keep message"));
  }
  await win.wd.click(await button("Save"));
  // Saved into the default collection, shown (expanded) in the collections tree.
  await win.wd.waitFor("saved in the sidebar", () => win.wd.find("xpath", '//ul[@role="tree"]//li[@role="treeitem" and @aria-label="Echo e2e"]'));
  await screenshot("saved");

  await restartApp();
  // Forget the window's own preferences so the request must come from the saved file.
  await win.wd.exec("localStorage.clear(); location.reload();");
  await new Promise((r) => setTimeout(r, 300));
  // Expand "My requests" (a click toggles it, so look before clicking; the reload may still be under way).
  await win.wd.waitFor("My requests expanded", async () => {
    const el = await win.wd.find("xpath", '//ul[@role="tree"]//li[@role="treeitem" and @aria-label="My requests"]');
    if ((await win.wd.exec('return arguments[0].getAttribute("aria-expanded")', [{ "element-6066-11e4-a52e-4f735466cecf": el }])) === "true") return true;
    await win.wd.click(el);
    return false;
  }, 10000, 300);
  const entry = await win.wd.xpath('//ul[@role="tree"]//li[@role="treeitem" and @aria-label="Echo e2e"]');
  await win.wd.click(entry);
  await win.wd.waitFor("URL restored", async () => (await win.wd.property(await byLabel("URL"), "value")) === `${win.mockWs}/echo`, 3000);
  const kept = await win.wd.exec(`return Array.from(document.querySelectorAll('[aria-label="Saved messages"] li .link')).map(e => e.textContent)`);
  assert.deepEqual(kept, ["first kept", "second (JSON)"]);
  const kinds = await win.wd.exec(`return Array.from(document.querySelectorAll('[aria-label="Saved messages"] li')).map(e => e.querySelector('.kind-tag')?.textContent || 'text')`);
  assert.deepEqual(kinds, ["text", "json"]);
  await screenshot("restored-after-restart");
  await connect(`${win.mockWs}/echo`);
  await waitStatus("Connected");
  await win.wd.click(await win.wd.el('[aria-label="Send saved message 2"]'));
  await waitRow("Messages", "in", '{"second":2}');
  await screenshot("saved-message-sent");
});

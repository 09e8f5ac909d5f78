// Window e2e: drives the real Sockpit window (tauri-driver + WebKitWebDriver, under Xvfb) against the mock.
// Run through tests/e2e/run.sh, which builds what is needed and sets SOCKPIT_APP, SOCKPIT_BIN, TAURI_DRIVER.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Session } from "./webdriver.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const shots = process.env.E2E_SCREENSHOTS || join(here, "..", "output", "e2e");
const APP = process.env.SOCKPIT_APP;
const SOCKPIT = process.env.SOCKPIT_BIN;
const DRIVER = process.env.TAURI_DRIVER;
const PORT = 4444;
const DRIVER_URL = `http://127.0.0.1:${PORT}`;

let mock, mockHttp, mockWs, driver, wd, dataHome;
let shot = 0;

function portBusy(port) {
  return new Promise((resolve) => {
    const s = createConnection({ host: "127.0.0.1", port });
    s.once("connect", () => { s.destroy(); resolve(true); });
    s.once("error", () => resolve(false));
  });
}

function startMock() {
  return new Promise((resolve, reject) => {
    const p = spawn(SOCKPIT, ["serve", "--host", "127.0.0.1", "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
    let buf = "";
    const timer = setTimeout(() => reject(new Error("mock did not start")), 10000);
    p.stdout.on("data", (d) => {
      buf += d;
      const m = buf.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(timer); resolve([p, m[1]]); }
    });
    p.once("exit", (c) => reject(new Error(`mock exited ${c}`)));
  });
}

async function startDriver() {
  const env = {
    ...process.env,
    // A fresh profile per run: saved requests and WebKit storage start empty.
    SOCKPIT_DATA_DIR: join(dataHome, "sockpit"),
    XDG_DATA_HOME: join(dataHome, "data"),
    XDG_CONFIG_HOME: join(dataHome, "config"),
    XDG_CACHE_HOME: join(dataHome, "cache"),
  };
  const p = spawn(DRIVER, ["--port", String(PORT)], { env, stdio: ["ignore", "inherit", "inherit"] });
  const end = Date.now() + 15000;
  while (!(await portBusy(PORT))) {
    if (Date.now() > end) throw new Error("tauri-driver did not listen");
    await new Promise((r) => setTimeout(r, 100));
  }
  return p;
}

function openApp() {
  return Session.create(DRIVER_URL, { alwaysMatch: { "tauri:options": { application: APP } } });
}

async function screenshot(name) {
  // Two animation frames so the latest paint is in the picture.
  await wd.execAsync("const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(1)));");
  const png = await wd.screenshot();
  shot += 1;
  writeFileSync(join(shots, `${String(shot).padStart(2, "0")}-${name}.png`), Buffer.from(png, "base64"));
}

const byLabel = (label) => wd.el(`[aria-label="${label}"]`);
const button = (name) => wd.xpath(`//button[normalize-space()="${name}"]`);
const statusText = async () => wd.text(await wd.el('[role="status"]'));

async function setInput(label, value) {
  const el = await byLabel(label);
  // Select-all + Backspace rather than WebDriver's clear, so React sees the edit.
  await wd.click(el);
  await wd.type(el, "\uE009a\uE000\uE003");
  if (value) await wd.type(el, value);
  await wd.waitFor(`${label} = ${value}`, async () => (await wd.property(el, "value")) === value, 3000);
}

async function waitStatus(want, timeoutMs = 10000) {
  await wd.waitFor(`status ${want}`, async () => (await statusText()) === want, timeoutMs);
}

/** Texts of the rows in a log with the given direction. */
function rows(log, dir) {
  return wd.exec(
    `return Array.from(document.querySelectorAll('[role="log"][aria-label="${log}"] [data-direction="${dir}"]')).map(e => e.textContent);`,
  );
}

async function waitRow(log, dir, needle) {
  await wd.waitFor(`${dir} row with ${needle} in ${log}`, async () => (await rows(log, dir)).some((t) => t.includes(needle)));
}

async function chooseMode(label) {
  const opt = await wd.xpath(`//select[@aria-label="Mode"]/option[normalize-space()="${label}"]`);
  await wd.click(opt);
  await wd.waitFor(`mode ${label}`, async () => (await wd.exec(`return document.querySelector('select[aria-label="Mode"]').selectedOptions[0].textContent`)) === label, 3000);
}

async function connect(url, reconnect = false) {
  if ((await statusText()) !== "Disconnected") {
    await wd.click(await button("Disconnect"));
    await waitStatus("Disconnected");
  }
  await setInput("URL", url);
  const box = await wd.xpath('//label[normalize-space()="Reconnect"]/input');
  if ((await wd.property(box, "checked")) !== reconnect) await wd.click(box);
  await wd.click(await button("Connect"));
}

before(async () => {
  assert.ok(APP && SOCKPIT && DRIVER, "run through tests/e2e/run.sh (SOCKPIT_APP, SOCKPIT_BIN, TAURI_DRIVER)");
  for (const port of [PORT, PORT + 1]) {
    assert.equal(await portBusy(port), false, `port ${port} is in use: a previous tauri-driver or WebKitWebDriver is still running`);
  }
  mkdirSync(shots, { recursive: true });
  dataHome = mkdtempSync(join(tmpdir(), "sockpit-e2e-"));
  [mock, mockHttp] = await startMock();
  mockWs = mockHttp.replace("http://", "ws://");
  driver = await startDriver();
  wd = await openApp();
  await new Promise((r) => setTimeout(r, 500));
  const body = await wd.exec("return document.body ? document.body.textContent : ''");
  assert.ok(!body.includes("UI was not built"), `${APP} embeds the placeholder page: build the UI first (make app-build)`);
  await byLabel("URL");
});

after(async () => {
  if (wd) await wd.delete().catch(() => undefined);
  if (driver) {
    driver.kill("SIGTERM");
    await new Promise((r) => { driver.once("exit", r); setTimeout(r, 5000); });
  }
  if (mock) mock.kill("SIGTERM");
});

test("window opens with the contract's controls", async () => {
  for (const label of ["URL", "Message", "SSE URL", "Search messages"]) await byLabel(label);
  for (const name of ["Connect", "Send", "Subscribe", "Save"]) await button(name);
  assert.equal(await statusText(), "Disconnected");
  await wd.el('[role="log"][aria-label="Messages"]');
  await wd.el('[role="log"][aria-label="Events"]');
  await screenshot("opened");
});

test("connects to /echo and sees text, JSON and hex echoed", async () => {
  await connect(`${mockWs}/echo`);
  await waitStatus("Connected");
  await screenshot("connected");

  await chooseMode("Text");
  await setInput("Message", "hello sockpit");
  await wd.click(await button("Send"));
  await waitRow("Messages", "out", "hello sockpit");
  await waitRow("Messages", "in", "hello sockpit");
  await screenshot("text-echo");

  await chooseMode("JSON");
  await setInput("Message", '{"n":');
  await wd.click(await button("Send"));
  const alert = await wd.el('[role="alert"]');
  assert.match(await wd.text(alert), /Invalid JSON/);
  assert.equal(await wd.property(await byLabel("Message"), "value"), '{"n":', "the typed text is kept");
  await screenshot("json-invalid");
  await setInput("Message", '{"n":1,"ok":true}');
  await wd.click(await button("Send"));
  await waitRow("Messages", "in", '{"n":1,"ok":true}');
  await screenshot("json-echo");

  await chooseMode("Hex");
  await setInput("Message", "de ad be ef");
  await wd.click(await button("Send"));
  await waitRow("Messages", "in", "deadbeef");
  await screenshot("hex-echo");
});

test("search finds a message in the log", async () => {
  await setInput("Search messages", "sockpit");
  await wd.waitFor("search hits", async () => /^1\/\d+$/.test(await wd.exec('return document.querySelector(".hits")?.textContent || ""')), 5000);
  await setInput("Search messages", "");
});

test("status goes to Reconnecting and back after /drop", async () => {
  await connect(`${mockWs}/drop?ms=300&key=e2e-${Date.now()}&times=1`, true);
  await wd.exec(`
    window.__states = [];
    const el = document.querySelector('[role="status"]');
    window.__states.push(el.textContent);
    new MutationObserver(() => window.__states.push(el.textContent)).observe(el, { childList: true, characterData: true, subtree: true });
  `);
  await wd.waitFor("Reconnecting seen", async () => (await wd.exec("return window.__states")).includes("Reconnecting"), 10000, 20);
  await screenshot("reconnecting");
  await waitStatus("Connected", 15000);
  const states = await wd.exec("return window.__states");
  const r = states.indexOf("Reconnecting");
  assert.ok(r >= 0 && states.slice(r).includes("Connected"), `states: ${states}`);
  await chooseMode("Text");
  await setInput("Message", "after reconnect");
  await wd.click(await button("Send"));
  await waitRow("Messages", "in", "after reconnect");
  await screenshot("reconnected");
});

test("shows the close code and its name after /close?code=4001", async () => {
  await connect(`${mockWs}/close?code=4001&reason=e2e-bye`);
  await waitStatus("Disconnected");
  const info = await wd.text(await byLabel("Last close"));
  assert.match(info, /4001 Private/);
  assert.match(info, /e2e-bye/);
  await waitRow("Messages", "in", "4001 Private");
  await screenshot("closed-4001");
});

test("switches to the dark theme", async () => {
  await wd.click(await byLabel("Toggle theme"));
  await wd.waitFor("dark theme", async () => (await wd.exec("return document.documentElement.dataset.theme")) === "dark", 3000);
  await screenshot("dark-theme");
});

test("subscribes to /sse and sees events", async () => {
  await setInput("SSE URL", `${mockHttp}/sse?n=5&interval=50`);
  await wd.click(await button("Subscribe"));
  await wd.waitFor("5 events", async () => {
    const n = await wd.exec(`return document.querySelectorAll('[role="log"][aria-label="Events"] [data-kind="event"]').length`);
    return n >= 5;
  });
  await screenshot("sse-events");
});

test("a saved request with two messages is there after a restart", async () => {
  await setInput("Request name", "Echo e2e");
  await setInput("URL", `${mockWs}/echo`);
  for (const m of ["first kept", '{"second":2}']) {
    await chooseMode("Text");
    await setInput("Message", m);
    await wd.click(await button("Keep message"));
  }
  await wd.click(await button("Save"));
  await wd.waitFor("saved in the sidebar", () => wd.find("xpath", '//ul[@aria-label="Saved requests"]//button[normalize-space()="Echo e2e"]'));
  await screenshot("saved");

  await wd.delete();
  wd = null;
  wd = await openApp();
  await byLabel("URL");
  // Forget the window's own preferences so the request must come from the saved file.
  await wd.exec("localStorage.clear(); location.reload();");
  await new Promise((r) => setTimeout(r, 300));
  const entry = await wd.xpath('//ul[@aria-label="Saved requests"]//button[normalize-space()="Echo e2e"]');
  await wd.click(entry);
  await wd.waitFor("URL restored", async () => (await wd.property(await byLabel("URL"), "value")) === `${mockWs}/echo`, 3000);
  const kept = await wd.exec(`return Array.from(document.querySelectorAll('[aria-label="Saved messages"] li .link')).map(e => e.textContent)`);
  assert.deepEqual(kept, ["first kept", '{"second":2}']);
  await screenshot("restored-after-restart");
  await connect(`${mockWs}/echo`);
  await waitStatus("Connected");
  await wd.click(await wd.el('[aria-label="Send saved message 2"]'));
  await waitRow("Messages", "in", '{"second":2}');
  await screenshot("saved-message-sent");
});

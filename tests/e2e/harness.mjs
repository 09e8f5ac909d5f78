// Shared window e2e harness: starts the mock and tauri-driver, opens the app, and offers helpers that
// find controls by accessible name. Each *.test.mjs calls useWindow() once at top level.
import { before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, mkdirSync, openSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
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
let prefix = "window";

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
    // The app picks WebKitGTK's plain renderer when there is no GPU (src-tauri/src/renderer.rs), but
    // WebKitWebDriver's screenshots hang with it under Xvfb; the e2e keeps the DMA-BUF renderer so every
    // step can be photographed. The window benchmark runs the app's own choice.
    WEBKIT_DISABLE_DMABUF_RENDERER: process.env.WEBKIT_DISABLE_DMABUF_RENDERER ?? "0",
    // WebDriver cannot drive GTK's file chooser: the app lets `stubDialog` answer its file dialogs
    // (ui/src/ipc/dialog.ts), and only when this is set.
    SOCKPIT_E2E_DIALOGS: "1",
  };
  // The driver's output goes to a file, not our pipes: an app it launched that outlives it would
  // otherwise hold the test runner's stdout open and the run would never end.
  const log = openSync(join(shots, `${prefix}-tauri-driver.log`), "a");
  const p = spawn(DRIVER, ["--port", String(PORT)], { env, stdio: ["ignore", log, log] });
  closeSync(log);
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
  writeFileSync(join(shots, `${prefix}-${String(shot).padStart(2, "0")}-${name}.png`), Buffer.from(png, "base64"));
}

const byLabel = (label) => wd.el(`[aria-label="${label}"]`);
const button = (name) => wd.xpath(`//button[normalize-space()="${name}"]`);
const statusText = async () => wd.text(await wd.el('[role="status"]'));

/** The value of an input, or the text of a contenteditable editor (CodeMirror: its lines, without the placeholder). */
function inputValue(label) {
  return wd.exec(
    `const e = document.querySelector(arguments[0]);
     if (!e) return null;
     if (!e.isContentEditable) return e.value;
     return Array.from(e.querySelectorAll('.cm-line')).map((l) => Array.from(l.childNodes)
       .filter((n) => !(n.classList && n.classList.contains('cm-placeholder'))).map((n) => n.textContent).join('')).join('\\n');`,
    [`[aria-label="${label}"]`],
  );
}

/** Does the field named `label` have the keyboard focus (CodeMirror: focus inside its editor)? */
function focused(label) {
  return wd.exec(
    `const e = document.querySelector(arguments[0]);
     return !!e && !e.disabled && (e === document.activeElement || e.contains(document.activeElement));`,
    [`[aria-label="${label}"]`],
  );
}

/**
 * Types `value` into the field named `label`, replacing what it held, and waits until it shows it.
 * Keys go wherever the focus is while they are typed, so each attempt finds the field afresh (a
 * re-render may have replaced it), waits until it is enabled and has the focus, and checks the
 * result; an app update that moved the focus or reset the field mid-typing (a tab loading, a lazy
 * view mounting, the sidebar reloading) costs one more attempt, not a failed test.
 */
async function setInput(label, value) {
  let last;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const el = await byLabel(label);
      await wd.click(el);
      await wd.waitFor(`${label} focused`, () => focused(label), 3000);
      // Select-all + Backspace rather than WebDriver's clear, so React sees the edit.
      await wd.type(el, "\uE009a\uE000\uE003");
      if (value) await wd.type(el, value);
      await wd.waitFor(`${label} = ${value}`, async () => (await inputValue(label)) === value, 3000);
      return;
    } catch (e) {
      last = e;
    }
  }
  throw last;
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

/**
 * Answers the window's next file dialogs (open or save) with these paths, in order; `null` cancels.
 * The OS dialog is stubbed at the UI's IPC boundary, since WebDriver cannot drive GTK's chooser.
 */
async function stubDialog(...paths) {
  await wd.exec("window.__sockpitDialogStub = arguments[0];", [paths]);
}

/** Pids of running copies of the app under test. */
function appPids() {
  const pids = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0")[0] === APP) pids.push(Number(d));
    } catch { /* gone */ }
  }
  return pids;
}
let appsBefore = new Set();

/** Registers the before/after hooks for one test file; screenshots are named `<name>-NN-step.png`. */
export function useWindow(name) {
  prefix = name;
  before(async () => {
    assert.ok(APP && SOCKPIT && DRIVER, "run through tests/e2e/run.sh (SOCKPIT_APP, SOCKPIT_BIN, TAURI_DRIVER)");
    for (const port of [PORT, PORT + 1]) {
      assert.equal(await portBusy(port), false, `port ${port} is in use: a previous tauri-driver or WebKitWebDriver is still running`);
    }
    mkdirSync(shots, { recursive: true });
    appsBefore = new Set(appPids());
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
    // An app whose web process died cannot be closed through WebDriver: never leave one behind.
    for (const pid of appPids()) {
      if (appsBefore.has(pid)) continue;
      console.error(`killing a leftover ${APP} (pid ${pid})`);
      try { process.kill(pid, "SIGKILL"); } catch { /* gone */ }
    }
  });
}

/** Closes the app and opens it again (same profile): for restart tests. */
async function restartApp() {
  await wd.delete();
  wd = null;
  wd = await openApp();
  await byLabel("URL");
}

export const win = {
  get wd() { return wd; },
  get mockHttp() { return mockHttp; },
  get mockWs() { return mockWs; },
  get dataHome() { return dataHome; },
  openApp, restartApp, screenshot, byLabel, button, statusText, inputValue, setInput, waitStatus, rows, waitRow, chooseMode, connect, stubDialog,
};

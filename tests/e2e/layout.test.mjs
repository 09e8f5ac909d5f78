// Window e2e: resizable panes. Each boundary is a WAI-ARIA window splitter (role="separator",
// focusable, aria-valuenow, arrow keys); a size set with the keyboard survives a restart; and the
// window holds together from 1024×700 to 2560×1440 (no pane overlaps another, the log keeps 10 rows).
import { test } from "node:test";
import assert from "node:assert/strict";
import { useWindow, win } from "./harness.mjs";

useWindow("layout");
const separator = (name) => win.wd.el(`[role="separator"][aria-label="${name}"]`);
const valueNow = (name) => win.wd.exec(`return Number(document.querySelector('[role="separator"][aria-label="${name}"]').getAttribute("aria-valuenow"))`);

async function setWindow(width, height) {
  await win.wd.cmd("POST", "/window/rect", { width, height });
  await win.wd.waitFor(`window ${width}x${height}`, async () => {
    const r = await win.wd.exec("return [window.innerWidth, window.innerHeight]");
    return Math.abs(r[0] - width) < 40 && Math.abs(r[1] - height) < 80;
  }, 5000);
}

/** Rectangles of the main regions, and how many log rows fit. */
function measure() {
  return win.wd.exec(`
    const r = (sel) => { const e = document.querySelector(sel); if (!e) return null; const b = e.getBoundingClientRect(); return { l: b.left, t: b.top, r: b.right, b: b.bottom, w: b.width, h: b.height }; };
    return {
      sidebar: r('.sidebar'), main: r('main.main'), sse: r('.sse-wrap:not([hidden])'),
      log: r('[role="log"][aria-label="Messages"]'), composer: r('[aria-label="Composer"]'),
      logBar: r('.log-bar'), view: { w: window.innerWidth, h: window.innerHeight },
    };`);
}

const settingsTab = `document.evaluate('//*[@role="tablist" and @aria-label="Request settings"]/button[normalize-space()="Settings"]', document, null, 9, null).singleNodeValue`;
const overlap = (a, b) => a && b && a.l < b.r - 1 && b.l < a.r - 1 && a.t < b.b - 1 && b.t < a.b - 1;

test("every pane boundary is a focusable window splitter moved by the arrow keys", async () => {
  // First run shows the welcome view; a new request brings the log and its detail pane.
  const start = await win.wd.findAll("xpath", '//*[@role="region" and @aria-label="Welcome"]//button[normalize-space()="New WebSocket request"]');
  if (start.length) await win.wd.click(start[0]);
  await win.wd.el('[role="log"][aria-label="Messages"]');
  const names = await win.wd.exec(`return Array.from(document.querySelectorAll('[role="separator"]')).map((e) => [e.getAttribute("aria-label"), e.tabIndex, e.getAttribute("aria-valuenow")])`);
  for (const want of ["Resize sidebar", "Resize SSE pane", "Resize message detail"]) {
    const s = names.find((n) => n[0] === want);
    assert.ok(s, `${want} in ${JSON.stringify(names)}`);
    assert.equal(s[1], 0, `${want} is focusable`);
    assert.match(String(s[2]), /^\d+$/, `${want} has aria-valuenow`);
  }
  const before = await valueNow("Resize sidebar");
  const handle = await separator("Resize sidebar");
  await win.wd.exec(`document.querySelector('[role="separator"][aria-label="Resize sidebar"]').focus()`);
  for (let i = 0; i < 3; i++) await win.wd.type(handle, "\uE014"); // ArrowRight
  await win.wd.waitFor("sidebar wider", async () => (await valueNow("Resize sidebar")) > before, 3000);
  await win.screenshot("sidebar-resized");
});

test("a pane size set with the keyboard is kept after a restart", async () => {
  const set = await valueNow("Resize sidebar");
  const width = (await measure()).sidebar.w;
  // Layouts are written as they change; give the write a moment before closing.
  await new Promise((r) => setTimeout(r, 500));
  await win.restartApp();
  await win.wd.waitFor("sidebar size restored", async () => (await valueNow("Resize sidebar")) === set, 5000);
  const after = (await measure()).sidebar.w;
  assert.ok(Math.abs(after - width) < 3, `sidebar width ${width} -> ${after}`);
  await win.screenshot("sidebar-restored");
  // A URL makes the tab a request again (an untouched blank tab shows the welcome view).
  await win.setInput("URL", `${win.mockWs}/echo`);
  await win.wd.el('[role="log"][aria-label="Messages"]');
});

test("the SSE pane collapses and comes back", async () => {
  const toggle = await win.wd.xpath('//button[normalize-space()="SSE pane"]');
  const pressed = () => win.wd.exec(`return document.evaluate('//button[normalize-space()="SSE pane"]', document, null, 9, null).singleNodeValue.getAttribute("aria-pressed")`);
  assert.equal(await pressed(), "true");
  await win.wd.click(toggle);
  await win.wd.waitFor("SSE pane hidden", async () => (await measure()).sse === null, 3000);
  assert.equal(await pressed(), "false");
  await win.screenshot("sse-collapsed");
  await win.wd.click(toggle);
  await win.wd.waitFor("SSE pane back", async () => (await measure()).sse !== null, 3000);
});

for (const [w, h] of [[1024, 700], [1280, 800], [2560, 1440]]) {
  test(`at ${w}×${h} nothing overlaps, nothing is cut off and the log keeps 10 rows`, async () => {
    await setWindow(w, h);
    await new Promise((r) => setTimeout(r, 300));
    let m = await measure();
    assert.ok(!overlap(m.sidebar, m.main), `sidebar/main ${JSON.stringify(m)}`);
    assert.ok(!overlap(m.main, m.sse), `main/sse ${JSON.stringify(m)}`);
    assert.ok(!overlap(m.log, m.composer), `log/composer ${JSON.stringify(m)}`);
    assert.ok(m.log.h >= 240, `log height ${m.log.h} (10 rows of 24 px)`);
    assert.ok(m.composer.b <= m.view.h + 1, `composer inside the window: ${JSON.stringify(m.composer)} in ${JSON.stringify(m.view)}`);
    assert.ok(m.main.r <= m.view.w + 1 && (m.sse?.r ?? 0) <= m.view.w + 1, "nothing cut off on the right");
    await win.screenshot(`${w}x${h}`);
    // The same in the other theme, for the record.
    const theme = () => win.wd.exec("return document.documentElement.dataset.theme");
    const first = await theme();
    const other = first === "dark" ? "light" : "dark";
    await win.wd.click(await win.byLabel("Toggle theme"));
    await win.wd.waitFor(other, async () => (await theme()) === other, 3000);
    await win.screenshot(`${w}x${h}-${other}`);
    await win.wd.click(await win.byLabel("Toggle theme"));
    await win.wd.waitFor(first, async () => (await theme()) === first, 3000);
    // Request settings and the upgrade report open: they do not squeeze the log; when the window is
    // too short for all of it, the part below the connection bar scrolls (the composer stays reachable).
    await win.wd.exec(settingsTab + ".click()");
    await win.wd.exec(`document.querySelector('details[aria-label="Upgrade report"]').open = true`);
    await new Promise((r) => setTimeout(r, 300));
    m = await measure();
    assert.ok(m.log.h >= 240, `log height with settings open ${m.log.h}`);
    assert.ok(!overlap(m.log, m.composer), `log/composer with settings open ${JSON.stringify(m)}`);
    const reachable = await win.wd.exec(`const main = document.querySelector('.main-scroll'); const c = document.querySelector('[aria-label="Composer"]');
      return c.getBoundingClientRect().bottom - main.getBoundingClientRect().top + main.scrollTop <= main.scrollHeight + 1`);
    assert.ok(reachable, "the composer is within the scroll area below the connection bar");
    await win.screenshot(`${w}x${h}-settings-open`);
    await win.wd.exec(settingsTab + ".click()");
    await win.wd.exec(`document.querySelector('details[aria-label="Upgrade report"]').open = false`);
  });
}

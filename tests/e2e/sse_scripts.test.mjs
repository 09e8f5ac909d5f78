// Window e2e for scripts on an SSE request (issue 19): a request switched to SSE, an on_message
// hook that logs each event and an `after` test counting them, subscribed in the SSE pane against
// the built-in mock's /sse feed (five events, then the stream ends): the `sp.log` lines are script
// rows in the pane's Events log and the test passes in the pane's Tests panel. Then Unsubscribe
// from an endless feed: `after` still runs and its test shows. Run through tests/e2e/run.sh.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useWindow, win } from "./harness.mjs";

useWindow("sse-scripts");
const { screenshot, button, setInput } = win;

const texts = (css) => win.wd.exec(`return Array.from(document.querySelectorAll(arguments[0])).map(e => e.textContent);`, [css]);
const editorTab = (name) => win.wd.xpath(`//*[@role="tablist" and @aria-label="Request settings"]/*[@role="tab" and starts-with(normalize-space(), "${name}")]`);
async function pickHook(hook) {
  await win.wd.click(await win.wd.xpath(`//*[@role="radiogroup" and @aria-label="Hook"]/button[@role="radio" and starts-with(normalize-space(), "${hook}")]`));
  await win.wd.waitFor(`hook ${hook}`, async () =>
    (await win.wd.exec(`return document.querySelector('[role="radiogroup"][aria-label="Hook"] [aria-checked="true"]').textContent`)).startsWith(hook), 3000);
}

test("an SSE request's on_message and after scripts run on Subscribe: script rows in the Events log, the test passing in the Tests panel", async () => {
  await win.wd.click(await win.wd.xpath('//select[@aria-label="Protocol"]/option[@value="sse"]'));
  await win.wd.waitFor("the request is SSE", async () =>
    (await win.wd.exec(`return document.querySelector('select[aria-label="Protocol"]').value`)) === "sse", 3000);

  await win.wd.click(await editorTab("Scripts"));
  await win.wd.el('[aria-label="Hook"]');
  await pickHook("on_message");
  await setInput("Script", "sp.log('event ' + sp.message.json().n)");
  await pickHook("after");
  await setInput("Script", "test('five events', () => expect(sp.messages.length).to.equal(5))");
  await win.wd.waitFor("the written hooks marked", async () =>
    (await texts('[role="radiogroup"][aria-label="Hook"] [role="radio"]')).filter((t) => t.endsWith("•")).length === 2, 3000);

  // The request does not reconnect: the subscription ends with the feed's fifth event.
  await setInput("SSE URL", `${win.mockHttp}/sse?n=5&interval=10`);
  await win.wd.click(await button("Subscribe"));

  const events = '[role="log"][aria-label="Events"]';
  try {
    await win.wd.waitFor("script rows in the Events log", async () => {
      const rows = await texts(`${events} [data-kind="script"]`);
      return rows.some((t) => t.includes("on_message: event 1")) && rows.some((t) => t.includes("on_message: event 5"));
    }, 15000);
  } catch (e) {
    await screenshot("sse-no-script-rows");
    throw new Error(`${e.message}; the Events log: ${JSON.stringify(await texts(`${events} .row`))}`);
  }
  const tests = '[role="region"][aria-label="Tests"]';
  await win.wd.waitFor("the after test passed", async () =>
    (await texts(`${tests} li[data-passed="true"]`)).some((t) => t.includes("five events")), 15000);
  assert.deepEqual(await texts(`${tests} li[data-passed="false"]`), [], "no test failed");
  assert.equal((await texts(tests)).length, 1, "one Tests panel: the SSE pane's");
  assert.match((await texts(`${tests} .tests-tally`))[0], /^1 passed, 0 failed$/);
  await screenshot("sse-tests-passed");
});

test("Unsubscribe from an endless feed still runs the request's after test into the Tests panel", async () => {
  await setInput("Script", "test('events before Unsubscribe', () => expect(sp.messages.length).to.be.above(1))");
  await setInput("SSE URL", `${win.mockHttp}/sse?n=0&interval=50`);
  await win.wd.click(await button("Subscribe"));
  await win.wd.waitFor("two events seen by the script", async () =>
    (await texts('[role="log"][aria-label="Events"] [data-kind="script"]')).some((t) => t.includes("on_message: event 2")), 15000);
  await win.wd.click(await button("Unsubscribe"));
  const tests = '[role="region"][aria-label="Tests"]';
  try {
    await win.wd.waitFor("the after test passed after Unsubscribe", async () =>
      (await texts(`${tests} li[data-passed="true"]`)).some((t) => t.includes("events before Unsubscribe")), 10000);
  } catch (e) {
    await screenshot("sse-no-after-test");
    throw new Error(`${e.message}; Tests: ${JSON.stringify(await texts(`${tests} li`))}; the Events log's end: ${JSON.stringify((await texts('[role="log"][aria-label="Events"] .row')).slice(-4))}`);
  }
  assert.equal((await texts(`${tests} li`)).length, 1, "the last subscription's test only");
  await screenshot("sse-unsubscribed-tests");
});

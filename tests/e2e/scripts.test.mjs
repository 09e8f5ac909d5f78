// Window e2e for request scripts (issue 19): the Scripts tab's hook picker and JavaScript editor
// (a syntax error underlined by the engine's check), an on_open script that sends, an on_message
// script that logs and tests the echo, the Tests panel's live result and the script row in the log.
// Against the built-in mock's /echo. Run through tests/e2e/run.sh.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useWindow, win } from "./harness.mjs";

useWindow("scripts");
const { screenshot, button, setInput, waitStatus, connect } = win;

const texts = (css) => win.wd.exec(`return Array.from(document.querySelectorAll(arguments[0])).map(e => e.textContent);`, [css]);
const editorTab = (name) => win.wd.xpath(`//*[@role="tablist" and @aria-label="Request settings"]/*[@role="tab" and starts-with(normalize-space(), "${name}")]`);
async function pickHook(hook) {
  await win.wd.click(await win.wd.xpath(`//*[@role="radiogroup" and @aria-label="Hook"]/button[@role="radio" and starts-with(normalize-space(), "${hook}")]`));
  await win.wd.waitFor(`hook ${hook}`, async () =>
    (await win.wd.exec(`return document.querySelector('[role="radiogroup"][aria-label="Hook"] [aria-checked="true"]').textContent`)).startsWith(hook), 3000);
}

test("an on_open send and an on_message test against /echo pass in the Tests panel, with a script row in the log", async () => {
  await win.wd.click(await editorTab("Scripts"));
  await win.wd.el('[aria-label="Hook"]');

  // A syntax error is underlined where the engine found it.
  await pickHook("on_close");
  await setInput("Script", "let x = ;");
  await win.wd.waitFor("the syntax error underlined", async () =>
    (await win.wd.exec(`return document.querySelectorAll('.script-editor .cm-lintRange-error').length`)) > 0, 5000);
  await screenshot("syntax-error");
  await setInput("Script", "");

  await pickHook("on_open");
  await setInput("Script", "sp.send('hi')");
  await pickHook("on_message");
  await setInput("Script", "sp.log('got ' + sp.message.data); test('echo', () => expect(sp.message.data).to.equal('hi'))");
  await win.wd.waitFor("the written hooks marked", async () =>
    (await texts('[role="radiogroup"][aria-label="Hook"] [role="radio"]')).filter((t) => t.endsWith("•")).length === 2, 3000);
  await screenshot("scripts-written");

  await connect(`${win.mockWs}/echo`);
  await waitStatus("Connected");
  const tests = '[role="region"][aria-label="Tests"]';
  await win.wd.waitFor("the echo test passed", async () =>
    (await texts(`${tests} li[data-passed="true"]`)).some((t) => t.includes("echo")), 10000);
  assert.deepEqual(await texts(`${tests} li[data-passed="false"]`), [], "no test failed");
  assert.match((await texts(`${tests} .tests-tally`))[0], /^[1-9]\d* passed, 0 failed$/);
  await win.wd.waitFor("a script row in the log", async () =>
    (await texts('[role="log"][aria-label="Messages"] [data-kind="script"]')).some((t) => t.includes("on_message: got hi")), 5000);
  await screenshot("tests-passed");
  await win.wd.click(await button("Disconnect"));
  await waitStatus("Disconnected");
});

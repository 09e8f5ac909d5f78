// Window e2e: the collections tree (role="tree" named Collections) with its icon toolbar (accessible
// names and tooltips) and context menu: rename a request, then move it into a folder.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useWindow, win } from "./harness.mjs";

useWindow("tree");
const ENTER = "\uE007";
const item = (name) => `//*[@role="tree" and @aria-label="Collections"]//*[@role="treeitem" and @aria-label="${name}"]`;
const menu = (name) => `//*[@role="menu" and @aria-label="Actions for ${name}"]`;
const menuItem = (name, label) => `${menu(name)}//*[@role="menuitem" and normalize-space()="${label}"]`;

test("the toolbar's icon buttons have names and tooltips", async () => {
  const buttons = await win.wd.exec(`return Array.from(document.querySelectorAll('[role="toolbar"][aria-label="Collection actions"] button')).map((b) => [b.getAttribute("aria-label"), b.title, b.textContent.trim()])`);
  for (const [name, title, text] of buttons) {
    assert.ok(name && title, `named with a tooltip: ${JSON.stringify([name, title])}`);
    assert.equal(text, "", `${name} shows an icon, not text`);
  }
  assert.deepEqual(buttons.map((b) => b[0]), ["New collection", "New folder", "New request", "Rename", "Duplicate", "Delete", "Move up", "Move down"]);
});

test("the context menu renames a request and moves it into a folder", async () => {
  await win.wd.click(await win.byLabel("New collection"));
  await win.wd.type(await win.byLabel("Collection name"), `Menu coll${ENTER}`);
  await win.wd.click(await win.wd.xpath(item("Menu coll")));
  await win.wd.click(await win.byLabel("New folder"));
  await win.wd.type(await win.byLabel("Folder name"), `Inbox${ENTER}`);
  await win.wd.xpath(item("Inbox"));
  await win.wd.click(await win.wd.xpath(item("Menu coll")));
  await win.wd.click(await win.byLabel("New request"));
  const req = await win.wd.xpath(item("New request"));

  // Shift+F10 on the focused item opens its context menu (a right click does too).
  await win.wd.click(req);
  await win.wd.exec(`const e = document.evaluate(arguments[0], document, null, 9, null).singleNodeValue;
    e.focus(); e.dispatchEvent(new KeyboardEvent("keydown", { key: "F10", shiftKey: true, bubbles: true, cancelable: true }));`, [item("New request")]);
  await win.wd.xpath(menu("New request"));
  await win.screenshot("context-menu");
  await win.wd.click(await win.wd.xpath(menuItem("New request", "Rename")));
  await win.setInput("Rename New request", "Menu req");
  await win.wd.type(await win.byLabel("Rename New request"), ENTER);
  await win.wd.xpath(item("Menu req"));
  assert.equal((await win.wd.findAll("xpath", item("New request"))).length, 0);

  const renamed = await win.wd.xpath(item("Menu req"));
  await win.wd.exec(`const e = document.evaluate(arguments[0], document, null, 9, null).singleNodeValue;
    const r = e.getBoundingClientRect();
    e.dispatchEvent(new MouseEvent("contextmenu", { bubbles: true, cancelable: true, clientX: r.left + 20, clientY: r.top + 8 }));`, [item("Menu req")]);
  await win.wd.click(await win.wd.xpath(`${menu("Menu req")}//*[@role="menuitem" and contains(normalize-space(), "Inbox")]`));
  await win.wd.waitFor("moved into Inbox", async () => (await win.wd.exec(`return document.evaluate(arguments[0], document, null, 9, null).singleNodeValue?.getAttribute("aria-level")`, [item("Menu req")])) === "3", 5000);
  assert.ok(renamed);
  await win.screenshot("moved");
});

// The sidebar tree's rows, keyboard steps and move targets.
import { describe, expect, it } from "vitest";
import type { TreeNodeDto } from "../ipc";
import { ancestors, findRow, keyOf, moveTargets, step, visibleRows } from "./treeModel";

const n = (kind: string, id: number, name: string, children: TreeNodeDto[] = []): TreeNodeDto => ({ kind, id, name, protocol: kind === "request" ? "websocket" : "", children });
const tree = [
  n("collection", 1, "A", [n("request", 10, "r1"), n("folder", 5, "F", [n("request", 11, "r2"), n("folder", 6, "G")])]),
  n("collection", 2, "B"),
];

describe("treeModel", () => {
  it("shows children of expanded nodes only, with levels", () => {
    expect(visibleRows(tree, new Set()).map((r) => r.node.name)).toEqual(["A", "B"]);
    const rows = visibleRows(tree, new Set(["collection:1", "folder:5"]));
    expect(rows.map((r) => `${r.level}${r.node.name}`)).toEqual(["1A", "2r1", "2F", "3r2", "3G", "1B"]);
    expect(rows[3].collection.name).toBe("A");
    expect(rows[3].parent?.name).toBe("F");
  });

  it("steps with arrows and Home/End, clamped at the ends", () => {
    const rows = visibleRows(tree, new Set(["collection:1"]));
    expect(step(rows, "collection:1", "ArrowDown")).toBe("request:10");
    expect(step(rows, "collection:1", "ArrowUp")).toBe("collection:1");
    expect(step(rows, "request:10", "End")).toBe("collection:2");
    expect(step(rows, null, "ArrowDown")).toBe("collection:1"); // nothing selected: the first row
  });

  it("finds ancestors to expand", () => {
    expect(ancestors(tree, "request:11")).toEqual(["collection:1", "folder:5"]);
    expect(ancestors(tree, "collection:2")).toEqual([]);
  });

  it("offers move targets other than the current place, never a folder into itself", () => {
    const r2 = findRow(tree, "request:11")!;
    expect(moveTargets(tree, r2).map((t) => t.label)).toEqual(["A", "A / F / G", "B"]);
    const f = findRow(tree, "folder:5")!;
    expect(moveTargets(tree, f).map((t) => t.label)).toEqual([]);
    const g = findRow(tree, "folder:6")!;
    expect(moveTargets(tree, g).map((t) => t.label)).toEqual(["A"]);
    expect(keyOf(f.node)).toBe("folder:5");
  });
});

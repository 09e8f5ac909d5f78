// The collections tree as the sidebar shows it: visible rows in order (for keyboard navigation),
// lookups, and the folders a node can move into.
import type { TreeNodeDto } from "../ipc";

/** A node's key, unique across kinds: `request:12`. */
export const keyOf = (n: { kind: string; id: number }) => `${n.kind}:${n.id}`;

export interface Row {
  node: TreeNodeDto;
  level: number;
  /** The collection the node is in (itself for a collection). */
  collection: TreeNodeDto;
  parent: TreeNodeDto | null;
  /** Position among its siblings, and how many there are. */
  index: number;
  siblings: number;
}

/** The rows on screen: every collection, and the children of expanded nodes, depth first. */
export function visibleRows(tree: TreeNodeDto[], expanded: ReadonlySet<string>): Row[] {
  const out: Row[] = [];
  const walk = (nodes: TreeNodeDto[], level: number, collection: TreeNodeDto | null, parent: TreeNodeDto | null) => {
    nodes.forEach((node, index) => {
      const c = collection ?? node;
      out.push({ node, level, collection: c, parent, index, siblings: nodes.length });
      if (node.children.length && expanded.has(keyOf(node))) walk(node.children, level + 1, c, node);
    });
  };
  walk(tree, 1, null, null);
  return out;
}

/** Every row, expanded or not. */
export function allRows(tree: TreeNodeDto[]): Row[] {
  const every = new Set<string>();
  const mark = (ns: TreeNodeDto[]) => ns.forEach((n) => { every.add(keyOf(n)); mark(n.children); });
  mark(tree);
  return visibleRows(tree, every);
}

export function findRow(tree: TreeNodeDto[], key: string | null): Row | null {
  if (!key) return null;
  return allRows(tree).find((r) => keyOf(r.node) === key) ?? null;
}

/** Keys of the ancestors of `key` (to expand so that it shows). */
export function ancestors(tree: TreeNodeDto[], key: string): string[] {
  const path: string[] = [];
  const walk = (nodes: TreeNodeDto[], trail: string[]): boolean => {
    for (const n of nodes) {
      if (keyOf(n) === key) { path.push(...trail); return true; }
      if (walk(n.children, [...trail, keyOf(n)])) return true;
    }
    return false;
  };
  walk(tree, []);
  return path;
}

/** Where a node can be moved: collection tops and folders (a folder not into itself or below). */
export function moveTargets(tree: TreeNodeDto[], moving: Row): { label: string; collection: number; folder: number | null }[] {
  const out: { label: string; collection: number; folder: number | null }[] = [];
  const walk = (nodes: TreeNodeDto[], c: TreeNodeDto, trail: string) => {
    for (const n of nodes) {
      if (n.kind !== "folder") continue;
      if (moving.node.kind === "folder" && n.id === moving.node.id) continue;
      const label = `${trail} / ${n.name}`;
      out.push({ label, collection: c.id, folder: n.id });
      walk(n.children, c, label);
    }
  };
  for (const c of tree) {
    if (moving.node.kind === "folder" && c.id !== moving.collection.id) continue;
    out.push({ label: c.name, collection: c.id, folder: null });
    walk(c.children, c, c.name);
  }
  const here = moving.parent && moving.parent.kind === "folder" ? moving.parent.id : null;
  return out.filter((t) => !(t.collection === moving.collection.id && t.folder === here));
}

/** The next row key for an arrow key, or null to stay. */
export function step(rows: Row[], current: string | null, key: "ArrowDown" | "ArrowUp" | "Home" | "End"): string | null {
  if (!rows.length) return null;
  const i = rows.findIndex((r) => keyOf(r.node) === current);
  const to = key === "Home" ? 0 : key === "End" ? rows.length - 1
    : key === "ArrowDown" ? Math.min(rows.length - 1, i + 1) : Math.max(0, i < 0 ? 0 : i - 1);
  return keyOf(rows[to].node);
}

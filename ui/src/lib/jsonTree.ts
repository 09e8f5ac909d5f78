// The JSON tree model behind the detail pane: a value flattened into visible lines, with
// collapsible objects and arrays addressed by JSON pointer.

export interface TreeLine {
  /** JSON pointer of the value ("" for the root). */
  path: string;
  depth: number;
  /** Property name or array index; null for the root. */
  key: string | null;
  /** `object`, `array`, `string`, `number`, `boolean` or `null`. */
  type: string;
  /** The value for leaves; `{3}` / `[2]` for containers. */
  text: string;
  expandable: boolean;
  expanded: boolean;
}

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

const escape = (k: string) => k.replace(/~/g, "~0").replace(/\//g, "~1");

/** Parses `text` as JSON, or returns undefined when it is not JSON (or not an object/array). */
export function parseJsonContainer(text: string | null | undefined): unknown {
  if (!text) return undefined;
  const t = text.trimStart();
  if (!t.startsWith("{") && !t.startsWith("[")) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The visible lines of `value`; containers whose pointer is in `collapsed` hide their children. */
export function flattenJson(value: unknown, collapsed: ReadonlySet<string>, limit = 5000): TreeLine[] {
  const out: TreeLine[] = [];
  const walk = (v: unknown, path: string, key: string | null, depth: number) => {
    if (out.length >= limit) return;
    const type = typeOf(v);
    const container = type === "object" || type === "array";
    const entries: [string, unknown][] = container
      ? type === "array"
        ? (v as unknown[]).map((x, i) => [String(i), x])
        : Object.entries(v as Record<string, unknown>)
      : [];
    const expanded = container && !collapsed.has(path);
    const text = container
      ? type === "array" ? `[${entries.length}]` : `{${entries.length}}`
      : type === "string" ? JSON.stringify(v) : String(v);
    out.push({ path, depth, key, type, text, expandable: container && entries.length > 0, expanded });
    if (expanded) for (const [k, x] of entries) walk(x, `${path}/${escape(k)}`, k, depth + 1);
  };
  walk(value, "", null, 0);
  return out;
}

/** `collapsed` with `path` toggled. */
export function toggle(collapsed: ReadonlySet<string>, path: string): Set<string> {
  const next = new Set(collapsed);
  if (next.has(path)) next.delete(path);
  else next.add(path);
  return next;
}

// The protobuf inspector's pure logic: the field tree flattened for display (paths, levels,
// expansion), byte ↔ field mapping over the engine's byte ranges, labels and hex rows.
import type { ProtoFieldDto } from "../ipc/bindings/ProtoFieldDto";

/** A field's place in the tree: child indexes from the top, joined by dots ("0", "2.0"). */
export type FieldPath = string;

export interface VisibleField {
  path: FieldPath;
  level: number;
  field: ProtoFieldDto;
  expandable: boolean;
  expanded: boolean;
}

/** The rows a tree shows: every top-level field, and children of expanded ones. */
export function visibleFields(fields: ProtoFieldDto[], expanded: ReadonlySet<FieldPath>, prefix = "", level = 1): VisibleField[] {
  const out: VisibleField[] = [];
  fields.forEach((field, i) => {
    const path = prefix ? `${prefix}.${i}` : String(i);
    const expandable = field.children.length > 0;
    const open = expandable && expanded.has(path);
    out.push({ path, level, field, expandable, expanded: open });
    if (open) out.push(...visibleFields(field.children, expanded, path, level + 1));
  });
  return out;
}

/** Every path that has children (to expand all). */
export function expandablePaths(fields: ProtoFieldDto[], prefix = ""): FieldPath[] {
  return fields.flatMap((f, i) => {
    const path = prefix ? `${prefix}.${i}` : String(i);
    return f.children.length ? [path, ...expandablePaths(f.children, path)] : [];
  });
}

/** The field at `path`, if any. */
export function fieldAt(fields: ProtoFieldDto[], path: FieldPath | null): ProtoFieldDto | null {
  if (path === null || path === "") return null;
  let list = fields;
  let node: ProtoFieldDto | null = null;
  for (const part of path.split(".")) {
    node = list[Number(part)] ?? null;
    if (!node) return null;
    list = node.children;
  }
  return node;
}

/** The deepest field whose bytes hold `offset`, or null (a framing prefix, say). */
export function pathOfByte(fields: ProtoFieldDto[], offset: number, prefix = ""): FieldPath | null {
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (offset >= f.start && offset < f.end) {
      const path = prefix ? `${prefix}.${i}` : String(i);
      return pathOfByte(f.children, offset, path) ?? path;
    }
  }
  return null;
}

/** The paths above `path` (to expand so it shows). */
export function ancestors(path: FieldPath): FieldPath[] {
  const parts = path.split(".");
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join("."));
}

/** How a byte relates to a field: its tag and length prefix, its value, or neither. */
export type BytePart = "head" | "value" | null;

export function bytePart(field: ProtoFieldDto | null, offset: number): BytePart {
  if (!field || offset < field.start || offset >= field.end) return null;
  return offset >= field.value_start && offset < field.value_end ? "value" : "head";
}

/** `#1 seq (varint) = 3`; raw or unknown fields have no name. */
export function fieldLabel(f: ProtoFieldDto): string {
  const name = f.name ? ` ${f.name}` : "";
  return `#${f.number}${name} (${f.wire}) = ${f.value}`;
}

/** The other readings of a raw value, as `sint 75 · bool true`. */
export function otherReadings(f: ProtoFieldDto): string {
  return f.readings.slice(1).map((r) => `${r.label} ${r.value}`).join(" · ");
}

/** The bytes of a hex string. */
export function hexBytes(hex: string): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < hex.length; i += 2) out.push(parseInt(hex.slice(i, i + 2), 16));
  return out;
}

/** Bytes in rows of `width`, each with its offset. */
export function byteRows(bytes: number[], width = 16): { offset: number; bytes: number[] }[] {
  const rows = [];
  for (let o = 0; o < bytes.length; o += width) rows.push({ offset: o, bytes: bytes.slice(o, o + width) });
  return rows;
}

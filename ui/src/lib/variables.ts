// `{{variables}}` in request fields: split text into plain and variable segments (for the URL's
// highlighting), and list the names no layer defines (flagged before connecting).
import type { RequestSpec } from "../ipc";

export interface Segment {
  text: string;
  /** The variable's name for `{{name}}` segments, null for plain text. */
  variable: string | null;
  /** A variable that no layer defines (dynamic `$` values always count as known). */
  unknown: boolean;
}

/** Splits `text` into plain runs and `{{name}}` runs; an unclosed `{{` stays plain text. */
export function segments(text: string, known: ReadonlySet<string>): Segment[] {
  const out: Segment[] = [];
  let rest = text;
  while (rest) {
    const start = rest.indexOf("{{");
    const end = start < 0 ? -1 : rest.indexOf("}}", start + 2);
    if (start < 0 || end < 0) {
      out.push({ text: rest, variable: null, unknown: false });
      break;
    }
    if (start > 0) out.push({ text: rest.slice(0, start), variable: null, unknown: false });
    const name = rest.slice(start + 2, end).trim();
    out.push({ text: rest.slice(start, end + 2), variable: name, unknown: !isKnown(name, known) });
    rest = rest.slice(end + 2);
  }
  return out;
}

function isKnown(name: string, known: ReadonlySet<string>): boolean {
  return name.startsWith("$") || known.has(name);
}

/** Every variable name used in `text`. */
export function variablesIn(text: string): string[] {
  return segments(text, new Set()).flatMap((s) => (s.variable !== null ? [s.variable] : []));
}

/** The names used by what connecting renders (URL, params, headers, subprotocols, auth, extras). */
export function unknownVariables(spec: RequestSpec, known: ReadonlySet<string>): string[] {
  const texts: string[] = [spec.url, ...spec.subprotocols, spec.extras.ca_file, spec.extras.proxy];
  for (const kv of [...spec.params, ...spec.headers]) if (kv.enabled) texts.push(kv.name, kv.value);
  const walk = (v: unknown) => {
    if (typeof v === "string") texts.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(spec.auth);
  const seen = new Set<string>();
  for (const t of texts) for (const n of variablesIn(t)) if (!isKnown(n, known)) seen.add(n);
  return [...seen];
}

/** The message shown next to the connection bar for unknown variables. */
export function unknownMessage(names: string[]): string {
  const list = names.map((n) => `{{${n}}}`).join(", ");
  return names.length === 1
    ? `Unknown variable ${list}: define it in the active environment (Environments in the sidebar) or pick another environment.`
    : `Unknown variables ${list}: define them in the active environment (Environments in the sidebar) or pick another environment.`;
}

// A request's JavaScript hooks in the window: the hook list, how many are written, where a syntax
// error sits in the editor's document, and the Tests panel's tally (pure, tested in scripts.test.ts).
import type { ScriptsDto, ScriptTestDto } from "../ipc";

export const HOOKS = ["before_connect", "on_open", "on_message", "on_close", "after"] as const;
export type HookName = (typeof HOOKS)[number];

export const blankScripts = (): ScriptsDto => ({ before_connect: "", on_open: "", on_message: "", on_close: "", after: "" });

/** The hooks with a non-blank body. */
export const writtenHooks = (s: ScriptsDto | undefined): HookName[] => (s ? HOOKS.filter((h) => s[h].trim() !== "") : []);

/** Only `hook`'s body, the others blank: what the syntax check of one editor sends. */
export const onlyHook = (hook: HookName, body: string): ScriptsDto => ({ ...blankScripts(), [hook]: body });

/**
 * The document range of a diagnostic at 1-based `line`/`column` (0 = unknown: the first line): one
 * character wide, clamped to the document, so a past-the-end error still underlines something.
 */
export function diagnosticRange(doc: string, line: number, column: number): { from: number; to: number } {
  const lines = doc.split("\n");
  const l = Math.min(Math.max(line, 1), lines.length) - 1;
  let start = 0;
  for (let i = 0; i < l; i++) start += lines[i].length + 1;
  const len = lines[l].length;
  const col = Math.min(Math.max(column, 1) - 1, len);
  const from = Math.min(start + col, doc.length);
  const to = Math.min(from + 1, start + len);
  // At the end of a line (or an empty one): underline the line's last character, if any.
  if (to <= from) return len > 0 ? { from: start + len - 1, to: start + len } : { from, to: from };
  return { from, to };
}

/** The Tests panel's counts. */
export function testTally(tests: readonly ScriptTestDto[]): { passed: number; failed: number } {
  const failed = tests.filter((t) => !t.passed).length;
  return { passed: tests.length - failed, failed };
}

/** One line of the panel: `✓ echo` or `✗ echo: expected 'a' to equal 'b'` (with the hook). */
export function testLine(t: ScriptTestDto): string {
  const head = `${t.passed ? "✓" : "✗"} ${t.name}`;
  return t.passed ? head : `${head}: ${t.message}${t.line ? ` (${t.hook}, line ${t.line})` : ` (${t.hook})`}`;
}

// One hook's JavaScript in CodeMirror 6 (`@codemirror/lang-javascript`, the composer's colours),
// with the engine's syntax errors (the `script_check` command: QuickJS, as runs use) as lint
// diagnostics underlined at their line. The editable element is named by `label` for the e2e tests.
import { useEffect, useRef } from "react";
import { EditorState } from "@codemirror/state";
import { EditorView, keymap, lineNumbers, placeholder as cmPlaceholder } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { javascript } from "@codemirror/lang-javascript";
import { linter, lintGutter, type Diagnostic } from "@codemirror/lint";
import { syntaxHighlighting } from "@codemirror/language";
import { backend } from "../../ipc";
import { highlight } from "../ws/CodeEditor";
import { diagnosticRange, onlyHook, type HookName } from "../../lib/scripts";

/** The engine's syntax errors of `hook`'s body as CodeMirror diagnostics. */
const engineLint = (hook: HookName) => async (v: EditorView): Promise<Diagnostic[]> => {
  const doc = v.state.doc.toString();
  if (doc.trim() === "") return [];
  try {
    const found = await backend.scriptCheck(onlyHook(hook, doc));
    if (v.state.doc.toString() !== doc) return []; // edited meanwhile: the next pass will tell
    return found
      .filter((d) => d.hook === hook)
      .map((d) => ({ ...diagnosticRange(doc, d.line, d.column), severity: "error" as const, message: `${d.message} (line ${d.line})`, source: d.code }));
  } catch {
    return [];
  }
};

interface Props {
  hook: HookName;
  value: string;
  onChange(value: string): void;
}

export function ScriptEditor({ hook, value, onChange }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const cb = useRef(onChange);
  cb.current = onChange;

  // One editor per hook (the parent keys it by hook), so the lint source knows its hook.
  useEffect(() => {
    if (!host.current) return;
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(),
          history(),
          keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
          cmPlaceholder(`// ${hook}: JavaScript with sp in scope, e.g. sp.send('hi') or test('name', () => expect(1).to.equal(1))`),
          EditorView.lineWrapping,
          javascript(),
          syntaxHighlighting(highlight),
          linter(engineLint(hook), { delay: 400 }),
          lintGutter(),
          EditorView.contentAttributes.of({ "aria-label": "Script", "aria-multiline": "true", role: "textbox" }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) cb.current(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => { v.destroy(); view.current = null; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [hook]);

  // Outside changes (another request opened in this tab) replace the document.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
    }
  }, [value]);

  return <div className="code-editor script-editor" ref={host} />;
}

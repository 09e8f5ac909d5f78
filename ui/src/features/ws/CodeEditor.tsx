// The composer's editor: CodeMirror 6 with JSON highlighting and lint in JSON modes (with `graphql`:
// cm6-graphql's highlighting and graphql-js's syntax errors as lint), Ctrl/Cmd+Enter to send, and an
// accessible name on the editable element (the e2e tests find it by that name).
import { useEffect, useRef } from "react";
import { Compartment, EditorState, type Extension } from "@codemirror/state";
import { EditorView, keymap, placeholder as cmPlaceholder } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { json, jsonParseLinter } from "@codemirror/lang-json";
import { linter, lintGutter } from "@codemirror/lint";
import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { tags } from "@lezer/highlight";

/** JSON colours from the app's theme variables, so light and dark themes both read well. */
export const highlight = HighlightStyle.define([
  { tag: tags.propertyName, color: "var(--out)" },
  { tag: tags.string, color: "var(--ok)" },
  { tag: [tags.number, tags.bool, tags.null], color: "var(--in)" },
  { tag: tags.invalid, color: "var(--err)" },
  { tag: [tags.keyword, tags.definitionKeyword, tags.operatorKeyword], color: "var(--out)", fontWeight: "bold" },
  { tag: [tags.variableName, tags.special(tags.variableName)], color: "var(--in)" },
  { tag: [tags.typeName, tags.definition(tags.variableName)], color: "var(--ok)" },
  { tag: [tags.comment, tags.lineComment], color: "var(--muted)", fontStyle: "italic" },
]);

interface Props {
  label: string;
  value: string;
  json: boolean;
  invalid: boolean;
  placeholder: string;
  /** GraphQL highlighting and syntax lint instead of plain text (when `json` is false). */
  graphql?: boolean;
  onChange(value: string): void;
  onSubmit(): void;
}

export function CodeEditor({ label, value, json: isJson, invalid, placeholder, graphql = false, onChange, onSubmit }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const lang = useRef(new Compartment());
  const attrs = useRef(new Compartment());
  // The latest callbacks, read by the editor's handlers.
  const cb = useRef({ onChange, onSubmit });
  cb.current = { onChange, onSubmit };

  useEffect(() => {
    if (!host.current) return;
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          history(),
          keymap.of([
            { key: "Mod-Enter", run: () => { cb.current.onSubmit(); return true; } },
            ...defaultKeymap,
            ...historyKeymap,
          ]),
          cmPlaceholder(placeholder),
          EditorView.lineWrapping,
          syntaxHighlighting(highlight),
          lang.current.of([]),
          attrs.current.of(EditorView.contentAttributes.of({ "aria-label": label, "aria-multiline": "true", role: "textbox" })),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) cb.current.onChange(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => { v.destroy(); view.current = null; };
    // The editor is created once; value, mode and flags are pushed in by the effects below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Outside changes (Format, Skeleton, a saved message) replace the document.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
    }
  }, [value]);

  useEffect(() => {
    const set = (ext: Extension) => view.current?.dispatch({ effects: lang.current.reconfigure(ext) });
    if (isJson) set([json(), linter(jsonParseLinter(), { delay: 300 }), lintGutter()]);
    else if (!graphql) set([]);
    else {
      // GraphQL support is its own chunk: loaded the first time a GraphQL editor shows.
      let live = true;
      void import("./graphqlLang").then((m) => { if (live) set(m.graphqlExtensions()); });
      return () => { live = false; };
    }
  }, [isJson, graphql]);

  useEffect(() => {
    const a: Record<string, string> = { "aria-label": label, "aria-multiline": "true", role: "textbox" };
    if (invalid) a["aria-invalid"] = "true";
    view.current?.dispatch({ effects: attrs.current.reconfigure(EditorView.contentAttributes.of(a)) });
  }, [invalid, label]);

  return <div className="code-editor" ref={host} />;
}

// GraphQL for the CodeMirror editor: cm6-graphql's highlighting and graphql-js's syntax errors as
// lint. A chunk of its own (graphql-js is large), loaded when a GraphQL editor first shows.
import type { EditorView } from "@codemirror/view";
import { linter, lintGutter } from "@codemirror/lint";
import { graphqlLanguageSupport } from "cm6-graphql";
import { graphqlSyntaxError } from "../../lib/graphqlSyntax";

/** GraphQL syntax errors as lint diagnostics (the schema is the server's business). */
const graphqlLint = (v: EditorView) => {
  const p = graphqlSyntaxError(v.state.doc.toString());
  if (!p) return [];
  const to = Math.min(p.from + 1, v.state.doc.length);
  return [{ from: Math.min(p.from, to), to, severity: "error" as const, message: p.message }];
};

export const graphqlExtensions = () => [graphqlLanguageSupport(), linter(graphqlLint, { delay: 300 }), lintGutter()];

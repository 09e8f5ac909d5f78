// A GraphQL document's syntax errors for the query editor's lint (graphql-js's parser; no schema, so
// fields are not checked: the server does that and its `errors` show in the operations list).
import { parse, GraphQLError } from "graphql";

export interface SyntaxProblem {
  /** 0-based offset into the text. */
  from: number;
  message: string;
}

/** The first syntax error of `text`, or null when it parses (or is empty). */
export function graphqlSyntaxError(text: string): SyntaxProblem | null {
  if (!text.trim()) return null;
  try {
    parse(text);
    return null;
  } catch (e) {
    if (!(e instanceof GraphQLError)) return { from: 0, message: String(e) };
    const at = e.locations?.[0];
    let from = 0;
    if (at) {
      const lines = text.split("\n");
      for (let i = 0; i < at.line - 1 && i < lines.length; i++) from += lines[i].length + 1;
      from += at.column - 1;
    }
    return { from: Math.min(from, text.length), message: e.message };
  }
}

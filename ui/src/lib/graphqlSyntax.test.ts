// Tests for the query editor's GraphQL syntax check.
import { describe, expect, it } from "vitest";
import { graphqlSyntaxError } from "./graphqlSyntax";

describe("graphqlSyntaxError", () => {
  it("accepts documents and empty text", () => {
    expect(graphqlSyntaxError("subscription Count($to: Int!) { count(to: $to) }")).toBeNull();
    expect(graphqlSyntaxError("  ")).toBeNull();
  });
  it("points at the first syntax error with graphql-js's words", () => {
    const p = graphqlSyntaxError("query {\n  hello(\n}");
    expect(p?.message).toMatch(/Syntax Error/);
    expect(p?.from).toBe("query {\n  hello(\n".length);
  });
});

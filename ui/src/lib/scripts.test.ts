// Tests for the Scripts tab's and the Tests panel's pure logic.
import { describe, expect, it } from "vitest";
import { blankScripts, diagnosticRange, onlyHook, testLine, testTally, writtenHooks } from "./scripts";

describe("scripts", () => {
  it("lists the hooks that have a body", () => {
    expect(writtenHooks(undefined)).toEqual([]);
    expect(writtenHooks({ ...blankScripts(), on_open: "sp.send('hi')", after: "  \n" })).toEqual(["on_open"]);
    expect(onlyHook("on_message", "x")).toEqual({ ...blankScripts(), on_message: "x" });
  });

  it("places a diagnostic at its line and column", () => {
    const doc = "let a = 1;\nlet b = ;\n";
    // line 2, column 9 is the ';'
    expect(diagnosticRange(doc, 2, 9)).toEqual({ from: 19, to: 20 });
    expect(doc.slice(19, 20)).toBe(";");
    // Unknown position: the first character.
    expect(diagnosticRange(doc, 0, 0)).toEqual({ from: 0, to: 1 });
    // Past the end of a line: its last character.
    expect(diagnosticRange("abc", 1, 10)).toEqual({ from: 2, to: 3 });
    // A line past the document clamps to its last line (empty here).
    expect(diagnosticRange(doc, 9, 1)).toEqual({ from: doc.length, to: doc.length });
  });

  it("tallies tests and words failures with their message and hook", () => {
    const ok = { hook: "on_message", name: "echo", passed: true, message: "", line: 0 };
    const bad = { hook: "after", name: "count", passed: false, message: "expected 1 to equal 2", line: 3 };
    expect(testTally([ok, bad, ok])).toEqual({ passed: 2, failed: 1 });
    expect(testLine(ok)).toBe("✓ echo");
    expect(testLine(bad)).toBe("✗ count: expected 1 to equal 2 (after, line 3)");
  });
});

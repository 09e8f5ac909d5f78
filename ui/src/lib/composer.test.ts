// Tests for the composer's validation rules.
import { describe, expect, it } from "vitest";
import { checkMessage, formatJson } from "./composer";
import hexRule from "../../../tests/data/hex-rule.json";

describe("checkMessage", () => {
  it("accepts any text", () => {
    expect(checkMessage("text", "{not json")).toEqual({ ok: true });
  });
  it("rejects invalid JSON with a readable error", () => {
    const r = checkMessage("json", '{"a":');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/^Invalid JSON/);
    expect(checkMessage("json", '{"a":1}').ok).toBe(true);
  });
  it("checks hex digits and length", () => {
    expect(checkMessage("hex", "de ad be ef").ok).toBe(true);
    expect(checkMessage("hex", "0xdead").ok).toBe(true);
    const odd = checkMessage("hex", "abc");
    expect(odd.ok).toBe(false);
    const bad = checkMessage("hex", "zz");
    expect(bad.ok ? "" : bad.error).toContain("'z'");
  });
  it("gives every case of the shared hex table the engine's verdict", () => {
    expect(hexRule.cases.length).toBeGreaterThanOrEqual(5);
    for (const c of hexRule.cases) {
      expect({ input: c.input, ok: checkMessage("hex", c.input).ok }).toEqual({ input: c.input, ok: c.bytes !== null });
    }
  });
  it("checks base64", () => {
    expect(checkMessage("base64", "aGVsbG8=").ok).toBe(true);
    expect(checkMessage("base64", "a$b").ok).toBe(false);
  });
  it("wants a file in file mode and JSON in protobuf mode", () => {
    expect(checkMessage("file", "/tmp/x.bin").ok).toBe(true);
    const empty = checkMessage("file", "  ");
    expect(empty.ok ? "" : empty.error).toMatch(/Choose the file/);
    expect(checkMessage("protobuf", '{"seq":"1"}').ok).toBe(true);
    const bad = checkMessage("protobuf", "{seq");
    expect(bad.ok ? "" : bad.error).toMatch(/^Invalid JSON/);
  });
  it("formats JSON and leaves bad JSON alone", () => {
    expect(formatJson('{"a":1}')).toBe('{\n  "a": 1\n}');
    expect(formatJson("{x")).toBe("{x");
  });
});

import { describe, expect, it } from "vitest";
import type { ProtoFieldDto } from "../ipc/bindings/ProtoFieldDto";
import { ancestors, bytePart, byteRows, expandablePaths, fieldAt, fieldLabel, hexBytes, otherReadings, pathOfByte, visibleFields } from "./protoInspect";

const f = (number: number, start: number, end: number, valueStart: number, children: ProtoFieldDto[] = [], extra: Partial<ProtoFieldDto> = {}): ProtoFieldDto => ({
  number, name: "", wire: children.length ? "len" : "varint", type_name: "", value: "", readings: [],
  start, end, value_start: valueStart, value_end: end, unknown: false, children, ...extra,
});

// 08 96 01 | 12 07 "testing" | 1a 02 [08 05]
const tree = [
  f(1, 0, 3, 1, [], { name: "a", value: "150" }),
  f(2, 3, 12, 5),
  f(3, 12, 16, 14, [f(1, 14, 16, 15, [], { name: "x", value: "5" })], { name: "c", value: "Inner {1}" }),
];

describe("protobuf inspector mapping", () => {
  it("maps a byte to the deepest field holding it", () => {
    expect(pathOfByte(tree, 0)).toBe("0");
    expect(pathOfByte(tree, 2)).toBe("0");
    expect(pathOfByte(tree, 11)).toBe("1");
    expect(pathOfByte(tree, 12)).toBe("2");
    expect(pathOfByte(tree, 13)).toBe("2");
    expect(pathOfByte(tree, 15)).toBe("2.0");
    expect(pathOfByte(tree, 16)).toBeNull();
  });

  it("finds fields by path and their ancestors", () => {
    expect(fieldAt(tree, "2.0")?.name).toBe("x");
    expect(fieldAt(tree, "5")).toBeNull();
    expect(fieldAt(tree, null)).toBeNull();
    expect(ancestors("2.0.1")).toEqual(["2", "2.0"]);
    expect(ancestors("1")).toEqual([]);
  });

  it("tells a field's head bytes from its value bytes, and nothing else", () => {
    const c = tree[2];
    expect([11, 12, 13, 14, 15, 16].map((o) => bytePart(c, o))).toEqual([null, "head", "head", "value", "value", null]);
    expect(bytePart(null, 0)).toBeNull();
  });

  it("shows children only under expanded fields", () => {
    expect(visibleFields(tree, new Set()).map((v) => v.path)).toEqual(["0", "1", "2"]);
    const open = visibleFields(tree, new Set(expandablePaths(tree)));
    expect(open.map((v) => [v.path, v.level])).toEqual([["0", 1], ["1", 1], ["2", 1], ["2.0", 2]]);
    expect(open[2].expanded && open[2].expandable).toBe(true);
  });

  it("labels fields and lists other readings", () => {
    expect(fieldLabel(tree[0])).toBe("#1 a (varint) = 150");
    expect(fieldLabel(f(9, 0, 2, 1, [], { value: "1" }))).toBe("#9 (varint) = 1");
    const raw = f(1, 0, 3, 1, [], { readings: [{ label: "int", value: "150" }, { label: "sint", value: "75" }] });
    expect(otherReadings(raw)).toBe("sint 75");
  });

  it("reads hex into rows of 16", () => {
    const bytes = hexBytes("0896011207" + "00".repeat(15));
    expect(bytes.slice(0, 3)).toEqual([8, 0x96, 1]);
    expect(byteRows(bytes).map((r) => [r.offset, r.bytes.length])).toEqual([[0, 16], [16, 4]]);
  });
});

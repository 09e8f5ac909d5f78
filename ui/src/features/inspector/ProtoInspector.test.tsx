// The protobuf inspector view: hovering a field marks exactly its bytes (head and value), a click
// on a byte selects the deepest field holding it, and the picker reads raw on request.
import { afterEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import type { ProtoFieldDto, ProtoInspectDto } from "../../ipc";

const f = (number: number, name: string, start: number, end: number, valueStart: number, children: ProtoFieldDto[] = []): ProtoFieldDto => ({
  number, name, wire: children.length ? "len" : "varint", type_name: "", value: String(number), readings: [],
  start, end, value_start: valueStart, value_end: end, unknown: false, children,
});
const dto: ProtoInspectDto = {
  hex: "0802" + "1a020805" + "4801",
  type_name: "t.M",
  fields: [f(1, "a", 0, 2, 1), f(3, "c", 2, 6, 4, [f(1, "x", 4, 6, 5)]), { ...f(9, "", 6, 8, 7), unknown: true }],
  error: null,
  suggestions: [{ type_name: "t.M", score: 40, known: 3, unknown: 1 }],
};

vi.mock("../../ipc", () => ({ backend: { protoInspect: vi.fn(async () => dto) } }));
const { ProtoInspector } = await import("./ProtoInspector");
const { backend } = await import("../../ipc");

afterEach(cleanup);

const marked = () => Array.from(document.querySelectorAll('[role="gridcell"][aria-selected="true"]'))
  .map((c) => `${(c as HTMLElement).dataset.offset}:${(c as HTMLElement).dataset.highlight}`);

describe("ProtoInspector", () => {
  it("links fields and bytes both ways", async () => {
    await act(async () => { render(<ProtoInspector session={1} index={7} onClose={() => undefined} />); });
    const tree = screen.getByRole("tree", { name: "Protobuf fields" });
    const items = screen.getAllByRole("treeitem");
    expect(items.map((i) => i.querySelector(".pi-label")?.textContent)).toEqual(["#1 a (varint) = 1", "#3 c (len) = 3", "#1 x (varint) = 1", "#9 (varint) = 9"]);
    expect(items[3].textContent).toContain("unknown");
    expect(tree).toBeTruthy();
    fireEvent.mouseEnter(items[1]);
    expect(marked()).toEqual(["2:head", "3:head", "4:value", "5:value"]);
    fireEvent.mouseLeave(items[1]);
    expect(marked()).toEqual([]);
    fireEvent.click(screen.getByRole("gridcell", { name: "05" }));
    expect(screen.getAllByRole("treeitem").filter((i) => i.getAttribute("aria-selected") === "true").map((i) => i.dataset.path)).toEqual(["1.0"]);
    expect(marked()).toEqual(["4:head", "5:value"]);
  });

  it("reads raw when the picker says so", async () => {
    await act(async () => { render(<ProtoInspector session={1} index={7} onClose={() => undefined} />); });
    expect(backend.protoInspect).toHaveBeenLastCalledWith({ session: 1, index: 7, hex: null, type_name: null });
    await act(async () => { fireEvent.change(screen.getByLabelText("Read as"), { target: { value: "" } }); });
    expect(backend.protoInspect).toHaveBeenLastCalledWith({ session: 1, index: 7, hex: null, type_name: "" });
  });
});

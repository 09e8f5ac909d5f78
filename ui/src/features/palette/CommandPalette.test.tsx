// The palette runs the command typed (Enter), moves with the arrows and closes on Escape; the tree's
// context menu runs an item and leaves focus to it.
import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { CommandPalette } from "./CommandPalette";
import { ContextMenu } from "../sidebar/ContextMenu";

afterEach(cleanup);

describe("CommandPalette", () => {
  it("runs the command whose name is typed when Enter is pressed", () => {
    const demo = vi.fn(), theme = vi.fn(), close = vi.fn();
    render(<CommandPalette onClose={close} commands={[{ id: "t", title: "Toggle theme", run: theme }, { id: "d", title: "Open demo", run: demo }]} />);
    const dialog = screen.getByRole("dialog", { name: "Command palette" });
    const input = screen.getByRole("combobox", { name: "Command" });
    expect(dialog.contains(input)).toBe(true);
    fireEvent.change(input, { target: { value: "open demo" } });
    expect(screen.getAllByRole("option").map((o) => o.textContent)).toEqual(["Open demo"]);
    fireEvent.keyDown(input, { key: "Enter" });
    expect(close).toHaveBeenCalledOnce();
    expect(demo).toHaveBeenCalledOnce();
    expect(theme).not.toHaveBeenCalled();
  });

  it("moves with the arrows and closes on Escape without running anything", () => {
    const a = vi.fn(), b = vi.fn(), close = vi.fn();
    render(<CommandPalette onClose={close} commands={[{ id: "a", title: "Alpha", run: a }, { id: "b", title: "Beta", run: b }]} />);
    const input = screen.getByRole("combobox", { name: "Command" });
    fireEvent.keyDown(input, { key: "ArrowDown" });
    expect(screen.getByRole("option", { selected: true }).textContent).toBe("Beta");
    fireEvent.keyDown(input, { key: "Escape" });
    expect(close).toHaveBeenCalledOnce();
    expect(a).not.toHaveBeenCalled();
    expect(b).not.toHaveBeenCalled();
  });
});

describe("ContextMenu", () => {
  it("focuses its first enabled item and runs a clicked one", () => {
    const rename = vi.fn(), close = vi.fn();
    render(<ContextMenu label="Actions for Echo" x={10} y={10} onClose={close}
      items={[{ label: "Duplicate", disabled: true, run: vi.fn() }, { label: "Rename", run: rename }]} />);
    expect(screen.getByRole("menu", { name: "Actions for Echo" })).toBeTruthy();
    expect(document.activeElement?.textContent).toBe("Rename");
    fireEvent.click(screen.getByRole("menuitem", { name: "Rename" }));
    expect(close).toHaveBeenCalledWith(false);
    expect(rename).toHaveBeenCalledOnce();
  });
});

// Composer behaviour: invalid input is refused before sending with a readable error, and kept;
// the CodeMirror editor carries the accessible name `Message` and Ctrl+Enter sends.
import { afterEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { EditorView } from "@codemirror/view";
import { Composer } from "./Composer";
import { Drafts } from "../../lib/drafts";

afterEach(cleanup);

function setup(onSend = vi.fn(async (): Promise<string | null> => null), extra: Partial<Parameters<typeof Composer>[0]> = {}) {
  render(<Composer canSend onSend={onSend} saved={[]} onKeep={() => undefined} onForget={() => undefined} onRename={() => undefined} {...extra} />);
  return onSend;
}

const editor = () => {
  const view = EditorView.findFromDOM(screen.getByLabelText("Message"));
  if (!view) throw new Error("no editor behind the Message element");
  return view;
};
const type = (text: string) =>
  act(() => { const v = editor(); v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text } }); });
const value = () => editor().state.doc.toString();

describe("Composer", () => {
  it("refuses invalid JSON and keeps the text", async () => {
    const onSend = setup();
    fireEvent.change(screen.getByLabelText("Mode"), { target: { value: "json" } });
    type('{"a":');
    fireEvent.click(screen.getByRole("button", { name: "Send" }));
    expect(await screen.findByRole("alert")).toHaveProperty("textContent", expect.stringMatching(/^Invalid JSON/));
    expect(onSend).not.toHaveBeenCalled();
    expect(value()).toBe('{"a":');
    expect(screen.getByLabelText("Message").getAttribute("aria-invalid")).toBe("true");
  });

  it("sends valid hex with Ctrl+Enter", async () => {
    const onSend = setup();
    fireEvent.change(screen.getByLabelText("Mode"), { target: { value: "hex" } });
    type("de ad");
    fireEvent.keyDown(screen.getByLabelText("Message"), { key: "Enter", ctrlKey: true });
    await vi.waitFor(() => expect(onSend).toHaveBeenCalledWith("hex", "de ad"));
  });

  it("refuses invalid hex before sending", async () => {
    const onSend = setup();
    fireEvent.change(screen.getByLabelText("Mode"), { target: { value: "hex" } });
    type("de ag");
    fireEvent.click(screen.getByRole("button", { name: "Send" }));
    expect((await screen.findByRole("alert")).textContent).toMatch(/^Invalid hex: 'g'/);
    expect(onSend).not.toHaveBeenCalled();
    expect(value()).toBe("de ag");
  });

  it("formats JSON with the Format button", async () => {
    setup();
    fireEvent.change(screen.getByLabelText("Mode"), { target: { value: "json" } });
    type('{"a":[1,2]}');
    fireEvent.click(screen.getByRole("button", { name: "Format" }));
    expect(value()).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
  });

  it("fills a protobuf skeleton and sends it as protobuf", async () => {
    const onSend = setup(undefined, {
      protoType: "sockpit.demo.Envelope",
      onSkeleton: async () => ({ text: '{\n  "seq": "0"\n}' }),
    });
    fireEvent.change(screen.getByLabelText("Mode"), { target: { value: "protobuf" } });
    fireEvent.click(screen.getByRole("button", { name: "Skeleton" }));
    await vi.waitFor(() => expect(value()).toBe('{\n  "seq": "0"\n}'));
    fireEvent.click(screen.getByRole("button", { name: "Send" }));
    await vi.waitFor(() => expect(onSend).toHaveBeenCalledWith("protobuf", '{\n  "seq": "0"\n}'));
  });

  it("refuses protobuf without a type", async () => {
    const onSend = setup();
    fireEvent.change(screen.getByLabelText("Mode"), { target: { value: "protobuf" } });
    type("{}");
    fireEvent.click(screen.getByRole("button", { name: "Send" }));
    expect((await screen.findByRole("alert")).textContent).toMatch(/protobuf type/);
    expect(onSend).not.toHaveBeenCalled();
  });

  it("keeps a message under a name, sends it with its own kind and renames it", async () => {
    const onSend = vi.fn(async (): Promise<string | null> => null);
    const onKeep = vi.fn();
    const onRename = vi.fn();
    const saved = [{ name: "wake up", kind: "hex" as const, body: "de ad" }];
    setup(onSend, { onKeep, onRename, saved });
    // Keep: the name typed, the current mode as the kind; the name box empties afterwards.
    fireEvent.change(screen.getByLabelText("Mode"), { target: { value: "json" } });
    type('{"op":"sub"}');
    fireEvent.change(screen.getByLabelText("Message name"), { target: { value: "  subscribe " } });
    fireEvent.click(screen.getByRole("button", { name: "Keep message" }));
    expect(onKeep).toHaveBeenCalledWith({ name: "subscribe", kind: "json", body: '{"op":"sub"}' });
    expect((screen.getByLabelText("Message name") as HTMLInputElement).value).toBe("");
    // Without a name it is named after its first line.
    type("hello\nworld");
    fireEvent.click(screen.getByRole("button", { name: "Keep message" }));
    expect(onKeep).toHaveBeenLastCalledWith({ name: "hello", kind: "json", body: "hello\nworld" });
    // The saved hex message goes out as hex whatever mode the composer is in.
    expect(screen.getByRole("button", { name: "wake up" })).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Send saved message 1" }));
    await vi.waitFor(() => expect(onSend).toHaveBeenCalledWith("hex", "de ad"));
    // Rename: Enter commits the trimmed name; an empty name falls back to the default.
    fireEvent.click(screen.getByRole("button", { name: "Rename saved message 1" }));
    const box = screen.getByLabelText("Name of saved message 1");
    fireEvent.change(box, { target: { value: " wake " } });
    fireEvent.keyDown(box, { key: "Enter" });
    expect(onRename).toHaveBeenCalledWith(0, "wake");
    fireEvent.click(screen.getByRole("button", { name: "Rename saved message 1" }));
    fireEvent.change(screen.getByLabelText("Name of saved message 1"), { target: { value: "" } });
    fireEvent.keyDown(screen.getByLabelText("Name of saved message 1"), { key: "Enter" });
    expect(onRename).toHaveBeenLastCalledWith(0, "de ad");
    // Clicking the name puts the message in the composer in its mode.
    fireEvent.click(screen.getByRole("button", { name: "wake up" }));
    expect(value()).toBe("de ad");
    expect((screen.getByLabelText("Mode") as HTMLSelectElement).value).toBe("hex");
  });

  it("shows the engine's error where the user acted", async () => {
    setup(vi.fn(async (): Promise<string | null> => "not connected"));
    type("hi");
    fireEvent.click(screen.getByRole("button", { name: "Send" }));
    expect((await screen.findByRole("alert")).textContent).toBe("not connected");
  });

  it("keeps a draft per tab and restores it when the tab is shown again", () => {
    const drafts = new Drafts();
    const tab = (key: string) => (
      <Composer key={key} canSend onSend={async () => null} saved={[]} onKeep={() => undefined} onForget={() => undefined}
        onRename={() => undefined} initialDraft={drafts.get(key)} onDraft={(d) => drafts.set(key, d)} />
    );
    const { rerender } = render(tab("a"));
    fireEvent.change(screen.getByLabelText("Mode"), { target: { value: "json" } });
    type('{"tab":"a"}');
    rerender(tab("b"));
    expect(value()).toBe("");
    expect((screen.getByLabelText("Mode") as HTMLSelectElement).value).toBe("text");
    type("tab b");
    rerender(tab("a"));
    expect(value()).toBe('{"tab":"a"}');
    expect((screen.getByLabelText("Mode") as HTMLSelectElement).value).toBe("json");
    rerender(tab("b"));
    expect(value()).toBe("tab b");
  });
});

// Composer behaviour: invalid input is refused before sending with a readable error, and kept;
// the CodeMirror editor carries the accessible name `Message` and Ctrl+Enter sends.
import { afterEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { EditorView } from "@codemirror/view";
import { Composer } from "./Composer";

afterEach(cleanup);

function setup(onSend = vi.fn(async (): Promise<string | null> => null), extra: Partial<Parameters<typeof Composer>[0]> = {}) {
  render(<Composer canSend onSend={onSend} saved={[]} onKeep={() => undefined} onForget={() => undefined} {...extra} />);
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

  it("shows the engine's error where the user acted", async () => {
    setup(vi.fn(async (): Promise<string | null> => "not connected"));
    type("hi");
    fireEvent.click(screen.getByRole("button", { name: "Send" }));
    expect((await screen.findByRole("alert")).textContent).toBe("not connected");
  });
});

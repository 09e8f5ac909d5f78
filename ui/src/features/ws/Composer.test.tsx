// Composer behaviour: invalid input is refused before sending with a readable error, and kept.
import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { Composer } from "./Composer";

afterEach(cleanup);

function setup(onSend = vi.fn(async (): Promise<string | null> => null)) {
  render(<Composer canSend onSend={onSend} saved={[]} onKeep={() => undefined} onForget={() => undefined} />);
  return onSend;
}

describe("Composer", () => {
  it("refuses invalid JSON and keeps the text", async () => {
    const onSend = setup();
    fireEvent.change(screen.getByLabelText("Mode"), { target: { value: "json" } });
    fireEvent.change(screen.getByLabelText("Message"), { target: { value: '{"a":' } });
    fireEvent.click(screen.getByRole("button", { name: "Send" }));
    expect(await screen.findByRole("alert")).toHaveProperty("textContent", expect.stringMatching(/^Invalid JSON/));
    expect(onSend).not.toHaveBeenCalled();
    expect((screen.getByLabelText("Message") as HTMLTextAreaElement).value).toBe('{"a":');
  });

  it("sends valid hex with Ctrl+Enter", async () => {
    const onSend = setup();
    fireEvent.change(screen.getByLabelText("Mode"), { target: { value: "hex" } });
    fireEvent.change(screen.getByLabelText("Message"), { target: { value: "de ad" } });
    fireEvent.keyDown(screen.getByLabelText("Message"), { key: "Enter", ctrlKey: true });
    await vi.waitFor(() => expect(onSend).toHaveBeenCalledWith("hex", "de ad"));
  });

  it("shows the engine's error where the user acted", async () => {
    setup(vi.fn(async (): Promise<string | null> => "not connected"));
    fireEvent.change(screen.getByLabelText("Message"), { target: { value: "hi" } });
    fireEvent.click(screen.getByRole("button", { name: "Send" }));
    expect((await screen.findByRole("alert")).textContent).toBe("not connected");
  });
});

// The Socket.IO tab: Emit sends the event name, namespace, args, ack and volatile flags; an ack shows
// threaded to its emit; a listener hides an event by name; a server event asking for an ack is answered
// with Reply.
import { afterEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { EditorView } from "@codemirror/view";
import type { ProtoEventDto } from "../../ipc";

vi.mock("../../ipc", () => ({ backend: { sioEmit: vi.fn(async () => undefined), sioAck: vi.fn(async () => undefined) } }));

const { SocketIoView } = await import("./SocketIoView");
const { LiveLog } = await import("../../lib/liveLog");
const { backend } = await import("../../ipc");

afterEach(cleanup);

const ev = (p: Partial<ProtoEventDto>): ProtoEventDto => ({
  t_ms: 1, kind: "event", dir: "in", namespace: "/chat", name: "", id: null, data: "[]", terminal: false, ...p,
});
const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)));

describe("SocketIoView", () => {
  it("emits to the request's first namespace with an ack, threads the ack and hides events by listener", async () => {
    const live = new LiveLog();
    render(<SocketIoView session={2} live={live} connected namespaces={["/chat"]} saved={[]} onKeep={() => undefined} />);
    fireEvent.change(screen.getByLabelText("Event"), { target: { value: "ack-me" } });
    act(() => {
      const v = EditorView.findFromDOM(screen.getByLabelText("Arguments"));
      v?.dispatch({ changes: { from: 0, insert: '["hi"]' } });
    });
    fireEvent.click(screen.getByLabelText("Ack"));
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Emit" })));
    expect(backend.sioEmit).toHaveBeenCalledWith(2, "/chat", "ack-me", '["hi"]', true, false);
    fireEvent.click(screen.getByLabelText("Volatile"));
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Emit" })));
    expect(backend.sioEmit).toHaveBeenLastCalledWith(2, "/chat", "ack-me", '["hi"]', true, true);

    await act(async () => {
      live.apply({ total: 0, tail: [], frames: 0, proto: [
        ev({ dir: "out", name: "ack-me", id: "1", data: '["hi"]' }),
        ev({ kind: "ack", id: "1", name: "ack-me", data: '["hi"]' }),
        ev({ name: "news", data: '["x"]' }),
      ] });
      await frame();
    });
    const log = screen.getByRole("log", { name: "Socket.IO events" });
    const ack = log.querySelector('[data-kind="ack"]');
    expect(ack?.textContent).toContain("ack #1 ↩ ack-me");
    expect(ack?.className).toContain("threaded");

    await act(async () => fireEvent.click(screen.getByRole("checkbox", { name: "ack-me" })));
    expect(log.textContent).not.toContain("ack-me");
    expect(log.textContent).toContain("news");
  });

  it("replies to a server event that asked for an ack, and the reply threads to it", async () => {
    const live = new LiveLog();
    render(<SocketIoView session={3} live={live} connected namespaces={["/"]} saved={[]} onKeep={() => undefined} />);
    await act(async () => {
      live.apply({ total: 0, tail: [], frames: 0, proto: [ev({ namespace: "/", name: "question", id: "7", data: '["q?"]' }), ev({ name: "plain" })] });
      await frame();
    });
    expect(screen.getAllByRole("button", { name: /^Reply to / })).toHaveLength(1);
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Reply to question #7" })));
    const form = screen.getByRole("group", { name: "Ack reply" });
    expect(form.textContent).toContain("ack #7 to question");
    act(() => {
      const v = EditorView.findFromDOM(screen.getByLabelText("Ack arguments"));
      v?.dispatch({ changes: { from: 0, insert: '["yes", 2]' } });
    });
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Send ack" })));
    expect(backend.sioAck).toHaveBeenCalledWith(3, "/", 7, '["yes", 2]');
    expect(screen.queryByRole("group", { name: "Ack reply" })).toBeNull();
    await act(async () => {
      live.apply({ total: 0, tail: [], frames: 0, proto: [ev({ kind: "ack", dir: "out", namespace: "/", id: "7", data: '["yes",2]' })] });
      await frame();
    });
    const log = screen.getByRole("log", { name: "Socket.IO events" });
    expect(log.querySelector('[data-kind="ack"][data-direction="out"]')?.textContent).toContain("ack #7 ↩ question");
    expect(log.querySelector('[data-kind="event"]')?.textContent).toContain("answered");
    expect(screen.queryByRole("button", { name: "Reply to question #7" })).toBeNull();
  });
});

// Tests for per-tab WebSocket sessions: each controller keeps its own state and log, batches of a
// replaced session are ignored, and subscribers hear only real state changes (not every batch).
import { describe, expect, it, vi } from "vitest";
import type { WsBatch } from "../../ipc";

type OnBatch = (b: WsBatch) => void;
const channels: OnBatch[] = [];
let nextId = 1;
vi.mock("../../ipc", () => ({
  backend: {
    wsConnect: vi.fn(async (_args: unknown, onBatch: OnBatch) => {
      channels.push(onBatch);
      return nextId++;
    }),
    wsDisconnect: vi.fn(async () => undefined),
    wsSend: vi.fn(async () => undefined),
  },
}));

const { WsSessionController } = await import("./useWsSession");
const { backend } = await import("../../ipc");

const batch = (total: number, extra: Partial<WsBatch> = {}): WsBatch => ({
  total, state: null, tail: [], close: null, error: null, queued: null, frames: 0, upgrade: null, proto: [], tests: [], vars_saved: [], ...extra,
});

describe("WsSessionController", () => {
  it("keeps each tab's session apart and tells subscribers only about state changes", async () => {
    const a = new WsSessionController();
    const b = new WsSessionController();
    let heardA = 0;
    a.subscribe(() => heardA++);
    await a.connect("ws://127.0.0.1:1/a", false);
    await b.connect("ws://127.0.0.1:1/b", false);
    const [chA, chB] = channels.slice(-2);
    const afterConnect = heardA;
    chA(batch(3, { state: "Connected" }));
    expect(a.view.state).toBe("Connected");
    expect(b.view.state).toBe("Connecting");
    expect(heardA).toBe(afterConnect + 1);
    // Rows alone reach the live log, not the window's subscribers.
    chA(batch(500));
    chA(batch(900));
    expect(heardA).toBe(afterConnect + 1);
    expect(a.view.live.model.total).toBe(900);
    expect(b.view.live.model.total).toBe(0);
    chB(batch(1, { state: "Connected" }));
    expect(b.view.live.model.total).toBe(1);
    // Sends go to the tab's own session.
    await b.send("text", "hi");
    expect(backend.wsSend).toHaveBeenLastCalledWith(b.view.session, "text", "hi");
    expect(a.view.session).not.toBe(b.view.session);
  });

  it("ignores batches of a session it replaced and passes the old one as `previous`", async () => {
    const c = new WsSessionController();
    await c.connect("ws://127.0.0.1:1/x", false);
    const first = c.view.session;
    const old = channels[channels.length - 1];
    await c.connect("ws://127.0.0.1:1/y", false);
    const calls = vi.mocked(backend.wsConnect).mock.calls;
    expect(calls[calls.length - 1][0]).toMatchObject({ previous: first });
    old(batch(42, { state: "Connected" }));
    expect(c.view.live.model.total).toBe(0);
    expect(c.view.state).toBe("Connecting");
  });

  it("sends the Scripts tab's hook file and stop-on-error, and reports saved script variables", async () => {
    const c = new WsSessionController();
    const saved: string[] = [];
    const spec = { url: "ws://127.0.0.1:1/echo" } as unknown as import("../../ipc").RequestSpec;
    await c.connect("ws://127.0.0.1:1/echo", false, {
      request: { spec, collection: 3, requestId: 7, attachment: { hookFile: "/h/round-trips.js", stopOnError: true } },
      onVarsSaved: (t) => saved.push(t),
    });
    const calls = vi.mocked(backend.wsConnect).mock.calls;
    expect(calls[calls.length - 1][0]).toMatchObject({ hook_file: "/h/round-trips.js", stop_on_script_error: true, request_id: 7 });
    channels[channels.length - 1](batch(1, { vars_saved: ["Saved sid to environment 'dev'"] }));
    expect(saved).toEqual(["Saved sid to environment 'dev'"]);
  });

  it("refuses to send before connecting and disconnects when its tab closes", async () => {
    const c = new WsSessionController();
    expect(await c.send("text", "x")).toMatchObject({ code: "ui.not_connected" });
    await c.connect("ws://127.0.0.1:1/z", false);
    c.dispose();
    await vi.waitFor(() => expect(backend.wsDisconnect).toHaveBeenCalledWith(c.view.session));
  });

  it("collects the script's test results as they stream in and starts over on reconnect", async () => {
    const c = new WsSessionController();
    await c.connect("ws://127.0.0.1:1/echo", false);
    const ch = channels[channels.length - 1];
    const t = (name: string, passed: boolean) => ({ hook: "on_message", name, passed, message: passed ? "" : "nope", line: 1 });
    ch(batch(1, { tests: [t("echo", true)] }));
    ch(batch(2, { tests: [t("again", false)] }));
    expect(c.view.tests.map((x) => [x.name, x.passed])).toEqual([["echo", true], ["again", false]]);
    await c.connect("ws://127.0.0.1:1/echo", false);
    expect(c.view.tests).toEqual([]);
  });
});

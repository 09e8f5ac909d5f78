// The GraphQL tab: Run starts an operation with the next id, its results and state follow the
// session's decoded events, a running operation has a Stop button, and an engine refusal is shown; the
// request's saved operations run with one click, under their saved name.
import { afterEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { EditorView } from "@codemirror/view";
import type { ProtoEventDto } from "../../ipc";

vi.mock("../../ipc", () => ({
  backend: {
    gqlStart: vi.fn(async () => undefined),
    gqlStop: vi.fn(async () => undefined),
  },
}));

const { GraphqlView } = await import("./GraphqlView");
const { LiveLog } = await import("../../lib/liveLog");
const { backend } = await import("../../ipc");

afterEach(cleanup);

const ev = (p: Partial<ProtoEventDto>): ProtoEventDto => ({
  t_ms: 1, kind: "next", dir: "in", namespace: "", name: "", id: "1", data: "", terminal: false, ...p,
});
const setDoc = (label: string, text: string) =>
  act(() => {
    const v = EditorView.findFromDOM(screen.getByLabelText(label));
    if (!v) throw new Error(`no editor ${label}`);
    v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text } });
  });

describe("GraphqlView", () => {
  it("runs an operation, follows its results to completion, and stops a running one", async () => {
    const live = new LiveLog();
    render(<GraphqlView session={4} live={live} connected ended={false} saved={[]} onKeep={() => undefined} />);
    setDoc("Query", "subscription { count(to: 2) }");
    setDoc("Variables", '{"to": 2}');
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Run" })));
    expect(backend.gqlStart).toHaveBeenCalledWith(4, "1", "subscription { count(to: 2) }", '{"to": 2}', "");
    await act(async () => {
      live.apply({ total: 0, tail: [], frames: 0, proto: [ev({ kind: "started", dir: "out" }), ev({ data: '{"data":{"count":1}}' })] });
      await new Promise((r) => requestAnimationFrame(() => r(null)));
    });
    const item = () => screen.getByRole("list", { name: "Operations" }).querySelector("li[data-state]");
    expect(item()?.getAttribute("data-state")).toBe("running");
    expect(screen.getByRole("tree", { name: "Result 1" }).textContent).toContain("count");
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Stop operation 1" })));
    expect(backend.gqlStop).toHaveBeenCalledWith(4, "1");
    await act(async () => {
      live.apply({ total: 0, tail: [], frames: 0, proto: [ev({ kind: "complete" })] });
      await new Promise((r) => requestAnimationFrame(() => r(null)));
    });
    expect(item()?.getAttribute("data-state")).toBe("complete");
    expect(screen.queryByRole("button", { name: "Stop operation 1" })).toBeNull();
  });

  it("shows the engine's refusal and starts nothing", async () => {
    vi.mocked(backend.gqlStart).mockRejectedValueOnce({ code: "app.invalid_variables", message: "the variables must be a JSON object" });
    render(<GraphqlView session={4} live={new LiveLog()} connected ended={false} saved={[]} onKeep={() => undefined} />);
    setDoc("Query", "{ hello }");
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Run" })));
    expect(screen.getByTestId("gql-error").textContent).toContain("JSON object");
    expect(screen.getByRole("list", { name: "Operations" }).querySelector("li[data-state]")).toBeNull();
  });

  it("runs a saved operation with one click and lists it under its name", async () => {
    vi.mocked(backend.gqlStart).mockClear();
    const live = new LiveLog();
    const saved = [
      { name: "hello", kind: "text" as const, body: "query($n: String) { hello(name: $n) }", variables: '{"n": "x"}' },
      { name: "count", kind: "text" as const, body: "subscription { count(to: 3) }", operation_name: "Count" },
    ];
    render(<GraphqlView session={5} live={live} connected ended={false} saved={saved} onKeep={() => undefined} />);
    const list = screen.getByRole("list", { name: "Saved operations" });
    expect(list.querySelectorAll("li")).toHaveLength(2);
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Run saved operation count" })));
    expect(backend.gqlStart).toHaveBeenCalledWith(5, "1", "subscription { count(to: 3) }", "", "Count");
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Run saved operation hello" })));
    expect(backend.gqlStart).toHaveBeenLastCalledWith(5, "2", "query($n: String) { hello(name: $n) }", '{"n": "x"}', "");
    const ops = screen.getByRole("list", { name: "Operations" });
    expect([...ops.querySelectorAll("li[data-state]")].map((li) => li.textContent)).toEqual([
      expect.stringContaining("#1 count"), expect.stringContaining("#2 hello"),
    ]);
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Edit saved operation count" })));
    expect(screen.getByLabelText("Operation name")).toHaveProperty("value", "Count");
  });
});

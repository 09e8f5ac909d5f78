// Tests for the decoded-event views: ack threading, listener filtering, the GraphQL operations list.
import { describe, expect, it } from "vitest";
import type { ProtoEventDto } from "../ipc";
import { appendBounded, eventNames, gqlSession, listenerFilter, nextOpId, operations, parseData, sioSummary, threadAcks } from "./protoEvents";

let t = 0;
const ev = (p: Partial<ProtoEventDto>): ProtoEventDto => ({
  t_ms: (t += 1), kind: "event", dir: "in", namespace: "/", name: "", id: null, data: "", terminal: false, ...p,
});

describe("Socket.IO ack threading", () => {
  it("threads an incoming ack to our emit with the same namespace and id", () => {
    const emit = ev({ dir: "out", name: "ack-me", id: "1", data: '["hi"]' });
    const other = ev({ dir: "out", name: "ack-me", id: "1", namespace: "/chat", data: "[]" });
    const ack = ev({ kind: "ack", dir: "in", id: "1", name: "ack-me", data: '["hi"]' });
    const rows = threadAcks([emit, other, ack]);
    expect(rows[2].answers).toBe(emit);
    expect(rows[0].ackedBy).toBe(ack);
    expect(rows[1].ackedBy).toBeNull();
    expect(sioSummary(rows[2])).toContain("ack #1 ↩ ack-me");
    expect(sioSummary(rows[0])).toContain("answered");
    expect(sioSummary(rows[1])).toContain("pending");
  });

  it("threads an ack we send to the server's event that asked for it, and keeps an unknown ack", () => {
    const asked = ev({ dir: "in", name: "question", id: "7" });
    const ours = ev({ kind: "ack", dir: "out", id: "7", data: "[42]" });
    const stray = ev({ kind: "ack", dir: "in", id: "99", data: "[]" });
    const rows = threadAcks([asked, ours, stray]);
    expect(rows[1].answers).toBe(asked);
    expect(rows[1].name).toBe("question");
    expect(rows[2].answers).toBeNull();
    expect(sioSummary(rows[2])).toContain("(no emit)");
  });

  it("matches a reused id to the latest emit that asked for it", () => {
    const a = ev({ dir: "out", name: "a", id: "1" });
    const ackA = ev({ kind: "ack", id: "1" });
    const b = ev({ dir: "out", name: "b", id: "1" });
    const ackB = ev({ kind: "ack", id: "1" });
    const rows = threadAcks([a, ackA, b, ackB]);
    expect(rows[1].answers).toBe(a);
    expect(rows[3].answers).toBe(b);
  });
});

describe("Socket.IO listeners", () => {
  const events = [
    ev({ kind: "connected", namespace: "/" }),
    ev({ name: "chat", data: '["x"]' }),
    ev({ dir: "out", name: "ack-me", id: "1" }),
    ev({ kind: "ack", id: "1" }),
    ev({ name: "chat" }),
    ev({ name: "news" }),
  ];
  it("lists event names once, in first-seen order", () => {
    expect(eventNames(events)).toEqual(["chat", "ack-me", "news"]);
  });
  it("hides events by name, with the acks of hidden emits; session rows always show", () => {
    const rows = threadAcks(events);
    expect(listenerFilter(rows, new Set())).toHaveLength(6);
    const shown = listenerFilter(rows, new Set(["chat", "ack-me"]));
    expect(shown.map((r) => r.ev.kind + ":" + r.name)).toEqual(["connected:", "event:news"]);
  });
});

describe("GraphQL operations", () => {
  it("follows each operation from start to complete, error or stop, with its results", () => {
    const meta = new Map([
      ["1", { query: "subscription {\n count(to: 2) }", operationName: "" }],
      ["2", { query: "query Boom { boom }", operationName: "Boom" }],
      ["3", { query: "subscription { count(to: 100) }", operationName: "" }],
    ]);
    const events = [
      ev({ kind: "started", dir: "out", id: "1" }),
      ev({ kind: "started", dir: "out", id: "2" }),
      ev({ kind: "next", id: "1", data: '{"data":{"count":1}}' }),
      ev({ kind: "error", id: "2", data: '[{"message":"boom"}]', terminal: true }),
      ev({ kind: "next", id: "1", data: '{"data":{"count":2}}' }),
      ev({ kind: "complete", id: "1" }),
      ev({ kind: "started", dir: "out", id: "3" }),
      ev({ kind: "next", id: "3", data: '{"data":{"count":1}}' }),
    ];
    const ops = operations(events, meta);
    expect(ops.map((o) => [o.id, o.state, o.results.length])).toEqual([["1", "complete", 2], ["2", "error", 0], ["3", "running", 1]]);
    expect(ops[0].label).toBe("subscription");
    expect(ops[1].label).toBe("Boom");
    expect(ops[1].errors).toEqual([{ message: "boom" }]);
    expect(ops[0].results[1]).toEqual({ data: { count: 2 } });
    const stopped = operations([...events, ev({ kind: "stopped", dir: "out", id: "3" }), ev({ kind: "complete", id: "3" })], meta);
    expect(stopped[2].state).toBe("stopped");
    expect(operations(events, meta, true)[2].state).toBe("stopped");
  });

  it("shows an operation the UI asked for before the layer reports it, and a result's errors without ending it", () => {
    const meta = new Map([["1", { query: "{ hello }", operationName: "" }]]);
    expect(operations([], meta)).toEqual([{ id: "1", label: "{ hello }", state: "running", results: [], errors: null }]);
    const ops = operations([ev({ kind: "error", id: "1", data: "[1]", terminal: false })], meta);
    expect(ops[0].state).toBe("running");
  });

  it("picks the next free id", () => {
    expect(nextOpId(new Map())).toBe("1");
    expect(nextOpId(new Map([["1", 0], ["3", 0]]))).toBe("4");
    expect(nextOpId(new Map([["2", 0]]))).toBe("3");
  });
});

describe("GraphQL session line", () => {
  it("names the picked subprotocol, the ack and protocol errors; a reconnect waits for a new ack", () => {
    const s = gqlSession([
      ev({ kind: "selected", name: "graphql-ws" }),
      ev({ kind: "connection_ack" }),
      ev({ kind: "protocol_error", name: "graphql.unknown_operation", data: "a result for operation '2'" }),
    ]);
    expect(s).toEqual({ protocol: "graphql-ws", acked: true, errors: [{ code: "graphql.unknown_operation", message: "a result for operation '2'" }] });
    expect(gqlSession([ev({ kind: "selected", name: "x" }), ev({ kind: "connection_ack" }), ev({ kind: "selected", name: "x" })]).acked).toBe(false);
  });
});

describe("helpers", () => {
  it("keeps the newest events only", () => {
    const l = [1, 2, 3];
    expect(appendBounded(l, [4, 5], 4)).toBe(1);
    expect(l).toEqual([2, 3, 4, 5]);
  });
  it("parses JSON data and leaves other text alone", () => {
    expect(parseData('{"a":1}')).toEqual({ a: 1 });
    expect(parseData("not json")).toBe("not json");
    expect(parseData("")).toBeUndefined();
  });
});

// Tests for the live session log: batches update rows, frames and rate, and subscribers are told
// at most once per frame.
import { MAX_PROTO_EVENTS } from "./protoEvents";
import { describe, expect, it } from "vitest";
import type { RowDto } from "../ipc";
import { LiveLog, frameCoalescer } from "./liveLog";

const row = (index: number): RowDto => ({ index, t_ms: index, kind: "text", dir: "in", code: 0, code_name: "", size: 1, text: `m${index}` });

describe("LiveLog", () => {
  it("applies batches and tells subscribers until they unsubscribe", () => {
    const live = new LiveLog();
    let told = 0;
    const off = live.subscribe(() => told++);
    live.apply({ total: 2, tail: [row(0), row(1)], frames: 4 }, 1000);
    expect(live.model.total).toBe(2);
    expect(live.frames).toBe(4);
    expect(live.meter.series(1000)[29]).toBe(2);
    off();
    live.apply({ total: 3, tail: [row(2)], frames: 4 }, 1001);
    expect(told).toBe(1);
    live.cleared();
    expect(live.model.total).toBe(0);
  });
  it("coalesces many pokes into one call per frame", () => {
    const frames: (() => void)[] = [];
    let calls = 0;
    const c = frameCoalescer(() => calls++, (f) => frames.push(f), () => frames.pop());
    for (let i = 0; i < 100; i++) c.poke();
    expect(frames.length).toBe(1);
    frames.shift()!();
    expect(calls).toBe(1);
    c.poke();
    c.cancel();
    expect(frames.length).toBe(0);
    expect(calls).toBe(1);
  });
  it("keeps a layered session's decoded events, a new array per change, the newest only", () => {
    const live = new LiveLog();
    const ev = (n: number) => ({ t_ms: n, kind: "event", dir: "in" as const, namespace: "/", name: "e", id: null, data: "[]", terminal: false });
    const before = live.proto;
    live.apply({ total: 0, tail: [], frames: 0, proto: [ev(1), ev(2)] }, 1000);
    expect(live.proto).not.toBe(before);
    expect(live.proto.map((e) => e.t_ms)).toEqual([1, 2]);
    const same = live.proto;
    live.apply({ total: 0, tail: [], frames: 0, proto: [] }, 1001);
    expect(live.proto).toBe(same);
    live.apply({ total: 0, tail: [], frames: 0, proto: Array.from({ length: MAX_PROTO_EVENTS }, (_, i) => ev(i + 3)) }, 1002);
    expect(live.proto.length).toBe(MAX_PROTO_EVENTS);
    expect(live.protoDropped).toBe(2);
    expect(live.proto[0].t_ms).toBe(3);
  });
});

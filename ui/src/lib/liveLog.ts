// A live session's fast-changing side (rows, frame count, message rate) kept outside React state, so a
// batch every 16 ms re-renders only the views that subscribe to it, at most once per painted frame.
import { useEffect, useState } from "react";
import type { ProtoEventDto, WsBatch } from "../ipc";
import { LogModel } from "./logModel";
import { appendBounded } from "./protoEvents";
import { RateMeter } from "./rate";

export class LiveLog {
  readonly model = new LogModel();
  readonly meter = new RateMeter();
  /** Frames recorded so far (Frames tab). */
  frames = 0;
  /** Decoded protocol events (Socket.IO, GraphQL), the newest `MAX_PROTO_EVENTS`; replaced on change. */
  proto: ProtoEventDto[] = [];
  /** Decoded events dropped from the front of `proto`. */
  protoDropped = 0;
  private listeners = new Set<() => void>();

  /** Takes a batch's rows and counters and tells the subscribers. */
  apply(b: Pick<WsBatch, "total" | "tail" | "frames"> & { proto?: ProtoEventDto[] }, nowMs = Date.now()): void {
    if (b.proto?.length) {
      const next = this.proto.slice();
      this.protoDropped += appendBounded(next, b.proto);
      this.proto = next;
    }
    this.model.apply(b.total, b.tail);
    this.meter.record(b.total, nowMs);
    this.frames = b.frames;
    this.notify();
  }

  /** The log was cleared in the engine. */
  cleared(): void {
    this.model.clear();
    this.meter.reset(0);
    this.notify();
  }

  subscribe(f: () => void): () => void {
    this.listeners.add(f);
    return () => {
      this.listeners.delete(f);
    };
  }

  notify(): void {
    for (const f of this.listeners) f();
  }
}

/** Calls `f` at most once per animation frame however often it is poked; `cancel` stops it. */
export function frameCoalescer(
  f: () => void,
  raf: (cb: () => void) => number = requestAnimationFrame,
  caf: (id: number) => void = cancelAnimationFrame,
) {
  let pending = 0;
  return {
    poke() {
      if (pending) return;
      pending = raf(() => {
        pending = 0;
        f();
      });
    },
    cancel() {
      if (pending) caf(pending);
      pending = 0;
    },
  };
}

/** A number that changes (at most once per frame) whenever `live` took a batch. */
export function useLiveVersion(live: LiveLog): number {
  const [v, setV] = useState(0);
  useEffect(() => {
    const c = frameCoalescer(() => setV((x) => x + 1));
    const off = live.subscribe(c.poke);
    setV((x) => x + 1); // a new session: show what it has
    return () => {
      off();
      c.cancel();
    };
  }, [live]);
  return v;
}

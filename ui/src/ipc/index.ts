// The only module that talks to Tauri: typed calls to the Rust commands and their event Channels.
import { invoke, Channel } from "@tauri-apps/api/core";
import type { AppError } from "./bindings/AppError";
import type { ConnectArgs } from "./bindings/ConnectArgs";
import type { DemoInfo } from "./bindings/DemoInfo";
import type { RowDto } from "./bindings/RowDto";
import type { SavedRequest } from "./bindings/SavedRequest";
import type { SendMode } from "./bindings/SendMode";
import type { SseBatch } from "./bindings/SseBatch";
import type { WsBatch } from "./bindings/WsBatch";

export type { AppError, ConnectArgs, DemoInfo, RowDto, SavedRequest, SendMode, SseBatch, WsBatch };
export type { ConnState } from "./bindings/ConnState";
export type { SseRow } from "./bindings/SseRow";
export type { SseState } from "./bindings/SseState";
export type { CloseDto } from "./bindings/CloseDto";

/** Any rejection as `{code, message}`: the commands reject with that shape already. */
export function toAppError(e: unknown): AppError {
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    const o = e as { code: unknown; message: unknown };
    return { code: String(o.code), message: String(o.message) };
  }
  return { code: "ui.unexpected", message: e instanceof Error ? e.message : String(e) };
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toAppError(e);
  }
}

export const backend = {
  wsConnect(args: ConnectArgs, onBatch: (b: WsBatch) => void): Promise<number> {
    const onEvent = new Channel<WsBatch>();
    onEvent.onmessage = onBatch;
    return call<number>("ws_connect", { args, onEvent });
  },
  wsSend: (session: number, mode: SendMode, body: string) => call<void>("ws_send", { session, mode, body }),
  wsDisconnect: (session: number) => call<void>("ws_disconnect", { session }),
  logRange: (session: number, start: number, end: number) => call<RowDto[]>("log_range", { session, start, end }),
  logSearch: (session: number, needle: string, from: number, limit: number) =>
    call<number[]>("log_search", { session, needle, from, limit }),
  sseSubscribe(url: string, onBatch: (b: SseBatch) => void): Promise<number> {
    const onEvent = new Channel<SseBatch>();
    onEvent.onmessage = onBatch;
    return call<number>("sse_subscribe", { url, onEvent });
  },
  sseUnsubscribe: (subscription: number) => call<void>("sse_unsubscribe", { subscription }),
  requestsList: () => call<SavedRequest[]>("requests_list"),
  requestsSave: (request: SavedRequest) => call<SavedRequest[]>("requests_save", { request }),
  requestsDelete: (id: string) => call<SavedRequest[]>("requests_delete", { id }),
  demoStart: () => call<DemoInfo>("demo_start"),
};

export type Backend = typeof backend;

// The only module that talks to Tauri: typed calls to the Rust commands and their event Channels.
import { invoke, Channel } from "@tauri-apps/api/core";
import type { AppError } from "./bindings/AppError";
import type { DemoOpened } from "./bindings/DemoOpened";
import type { ExportKind } from "./bindings/ExportKind";
import type { ExportReport } from "./bindings/ExportReport";
import type { CliFlavour } from "./bindings/CliFlavour";
import type { ImportReport } from "./bindings/ImportReport";
import type { ConnectArgs } from "./bindings/ConnectArgs";
import type { DemoInfo } from "./bindings/DemoInfo";
import type { RowDto } from "./bindings/RowDto";
import type { SavedRequest } from "./bindings/SavedRequest";
import type { SendMode } from "./bindings/SendMode";
import type { SseBatch } from "./bindings/SseBatch";
import type { WsBatch } from "./bindings/WsBatch";
import type { LogFilter } from "./bindings/LogFilter";
import type { LogSelection } from "./bindings/LogSelection";
import type { RowDetail } from "./bindings/RowDetail";
import type { ExportResult } from "./bindings/ExportResult";
import type { FrameDto } from "./bindings/FrameDto";
import type { ProtoSchemaDto } from "./bindings/ProtoSchemaDto";
import type { CompareArgs } from "./bindings/CompareArgs";
import type { CompareBatch } from "./bindings/CompareBatch";
import type { ProtoInspectArgs } from "./bindings/ProtoInspectArgs";
import type { ProtoInspectDto } from "./bindings/ProtoInspectDto";
export type { ProtoInspectArgs, ProtoInspectDto };
export type { ProtoFieldDto } from "./bindings/ProtoFieldDto";
export type { ProtoSuggestionDto } from "./bindings/ProtoSuggestionDto";

export type { AppError, ConnectArgs, DemoInfo, RowDto, SavedRequest, SendMode, SseBatch, WsBatch };
export type { ConnState } from "./bindings/ConnState";
export type { SseRow } from "./bindings/SseRow";
export type { SseState } from "./bindings/SseState";
export type { CloseDto } from "./bindings/CloseDto";
export type { TreeNodeDto } from "./bindings/TreeNodeDto";
export type { KvDto } from "./bindings/KvDto";
export type { RequestSpec } from "./bindings/RequestSpec";
export type { SavedMessageDto } from "./bindings/SavedMessageDto";
export type { SseSubscription } from "./bindings/SseSubscription";
import type { SseSubscription } from "./bindings/SseSubscription";
export type { StoredRequestDto } from "./bindings/StoredRequestDto";
export type { EnvironmentDto } from "./bindings/EnvironmentDto";
export type { VariableDto } from "./bindings/VariableDto";
export type { HistoryDto } from "./bindings/HistoryDto";
export type { NoticeDto } from "./bindings/NoticeDto";
import type { NoticeDto } from "./bindings/NoticeDto";
export type { UpgradeDto } from "./bindings/UpgradeDto";
export type { ProtoEventDto } from "./bindings/ProtoEventDto";
import type { TreeNodeDto as Tree } from "./bindings/TreeNodeDto";
import type { RequestSpec as Spec } from "./bindings/RequestSpec";
import type { StoredRequestDto as Stored } from "./bindings/StoredRequestDto";
import type { EnvironmentDto as Env } from "./bindings/EnvironmentDto";
import type { VariableDto as Var } from "./bindings/VariableDto";
import type { HistoryDto as Hist } from "./bindings/HistoryDto";
export type { LogFilter, LogSelection, RowDetail, ExportResult, FrameDto, ProtoSchemaDto, CompareArgs, CompareBatch };
export type { CompareItemDto } from "./bindings/CompareItemDto";
export type { ScriptsDto } from "./bindings/ScriptsDto";
export type { ScriptTestDto } from "./bindings/ScriptTestDto";
export type { ScriptDiagnosticDto } from "./bindings/ScriptDiagnosticDto";
import type { ScriptsDto } from "./bindings/ScriptsDto";
import type { ScriptDiagnosticDto } from "./bindings/ScriptDiagnosticDto";
export type { CompareSummaryDto } from "./bindings/CompareSummaryDto";

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
  /** Socket.IO: emit `event` with `args` (JSON: an array of arguments or one value) on `namespace`; a `volatile` emit is dropped when the namespace is not connected. */
  sioEmit: (session: number, namespace: string, event: string, args: string, ack: boolean, volatile: boolean) =>
    call<void>("sio_emit", { session, namespace, event, args, ack, volatile }),
  /** Socket.IO: answer the server's event `id` on `namespace` (it asked for an ack) with `args` (JSON). */
  sioAck: (session: number, namespace: string, id: number, args: string) =>
    call<void>("sio_ack", { session, namespace, id, args }),
  /** GraphQL: start an operation with the UI's `id`; results come in the session's batches. */
  gqlStart: (session: number, id: string, query: string, variables: string, operationName: string) =>
    call<void>("gql_start", { session, id, query, variables, operationName }),
  gqlStop: (session: number, id: string) => call<void>("gql_stop", { session, id }),
  /** STOMP: SUBSCRIBE to `destination` under subscription `id` with ack mode `ack` (`auto` when empty). */
  stompSubscribe: (session: number, id: string, destination: string, ack: string) =>
    call<void>("stomp_subscribe", { session, id, destination, ack }),
  stompUnsubscribe: (session: number, id: string) => call<void>("stomp_unsubscribe", { session, id }),
  /** STOMP: SEND `body` to `destination` with `headers` (one `name:value` a line). */
  stompSend: (session: number, destination: string, headers: string, body: string) =>
    call<void>("stomp_send", { session, destination, headers, body }),
  mqttSubscribe: (session: number, filter: string, qos: number) => call<void>("mqtt_subscribe", { session, filter, qos }),
  mqttUnsubscribe: (session: number, filter: string) => call<void>("mqtt_unsubscribe", { session, filter }),
  /** MQTT: PUBLISH `payload` to `topic` at `qos`, retained when `retain`. */
  mqttPublish: (session: number, topic: string, qos: number, retain: boolean, payload: string) =>
    call<void>("mqtt_publish", { session, topic, qos, retain, payload }),
  logRange: (session: number, start: number, end: number) => call<RowDto[]>("log_range", { session, start, end }),
  logSearch: (session: number, needle: string, from: number, limit: number) =>
    call<number[]>("log_search", { session, needle, from, limit }),
  logSelect: (session: number, filter: LogFilter, from: number, limit: number) =>
    call<LogSelection>("log_select", { session, filter, from, limit }),
  logRows: (session: number, indices: number[]) => call<RowDto[]>("log_rows", { session, indices }),
  logDetail: (session: number, index: number) => call<RowDetail>("log_detail", { session, index }),
  logClear: (session: number) => call<void>("log_clear", { session }),
  logExport: (session: number, path: string) => call<ExportResult>("log_export", { session, path }),
  framesRange: (session: number, start: number, end: number) => call<FrameDto[]>("frames_range", { session, start, end }),
  protoLoad: (path: string) => call<ProtoSchemaDto>("proto_load", { path }),
  protoSetType: (typeName: string) => call<void>("proto_set_type", { typeName }),
  protoSkeleton: (typeName: string) => call<string>("proto_skeleton", { typeName }),
  /** The protobuf inspector's field tree of a row or of hex bytes; `type_name` null = the type in use, "" = raw. */
  protoInspect: (args: ProtoInspectArgs) => call<ProtoInspectDto>("proto_inspect", { args }),
  /** Syntax errors of the request's hooks (one per broken hook), for the Scripts editor's lint. */
  scriptCheck: (scripts: ScriptsDto) => call<ScriptDiagnosticDto[]>("script_check", { scripts }),
  scriptCheckFile: (path: string) => call<ScriptDiagnosticDto[]>("script_check_file", { path }),
  compareStart(args: CompareArgs, onBatch: (b: CompareBatch) => void): Promise<number> {
    const onEvent = new Channel<CompareBatch>();
    onEvent.onmessage = onBatch;
    return call<number>("compare_start", { args, onEvent });
  },
  compareStop: (compare: number) => call<void>("compare_stop", { compare }),
  /** With `request`, the URL's variables are rendered and the request's headers, auth, TLS and proxy
   *  apply; its scripts and attached hook file (`hookFile`) run beside the stream. */
  sseSubscribe(
    url: string,
    onBatch: (b: SseBatch) => void,
    request?: { spec: Spec; collection: number | null; hookFile?: string | null; stopOnScriptError?: boolean },
  ): Promise<SseSubscription> {
    const onEvent = new Channel<SseBatch>();
    onEvent.onmessage = onBatch;
    return call<SseSubscription>("sse_subscribe", {
      url,
      spec: request?.spec ?? null,
      collection: request?.collection ?? null,
      hookFile: request?.hookFile ?? null,
      stopOnScriptError: request?.stopOnScriptError ?? null,
      onEvent,
    });
  },
  sseUnsubscribe: (subscription: number) => call<void>("sse_unsubscribe", { subscription }),
  demoStart: () => call<DemoInfo>("demo_start"),
  collectionImport: (path: string, format: string | null) =>
    call<ImportReport>("collection_import", { path, format }),
  collectionExport: (collection: number, path: string, kind: ExportKind) =>
    call<ExportReport>("collection_export", { collection, path, kind }),
  demoOpen: () => call<DemoOpened>("demo_open"),
  storeTree: () => call<Tree[]>("store_tree"),
  /** `protocol` (`websocket`, `socketio`, `graphql`, `sse`) for a new request. */
  storeCreate: (kind: string, name: string, collection: number | null, folder: number | null, protocol: string | null = null) =>
    call<number>("store_create", { kind, name, collection, folder, protocol }),
  storeRename: (kind: string, id: number, name: string) => call<void>("store_rename", { kind, id, name }),
  storeDuplicate: (kind: string, id: number) => call<number>("store_duplicate", { kind, id }),
  storeDelete: (kind: string, id: number) => call<void>("store_delete", { kind, id }),
  storeMove: (kind: string, id: number, delta: number) => call<void>("store_move", { kind, id, delta }),
  storeReparent: (kind: string, id: number, collection: number, folder: number | null) =>
    call<void>("store_reparent", { kind, id, collection, folder }),
  requestGet: (id: number) => call<Stored>("request_get", { id }),
  requestSave: (id: number | null, collection: number | null, spec: Spec) => call<Stored>("request_save", { id, collection, spec }),
  envList: () => call<Env[]>("env_list"),
  envCreate: (collection: number, name: string) => call<number>("env_create", { collection, name }),
  envUpdate: (id: number, name: string, variables: Var[]) => call<void>("env_update", { id, name, variables }),
  envDelete: (id: number) => call<void>("env_delete", { id }),
  envSelect: (id: number | null) => call<void>("env_select", { id }),
  envKnown: (collection: number | null) => call<string[]>("env_known", { collection }),
  historyList: (limit: number) => call<Hist[]>("history_list", { limit }),
  appNotices: () => call<NoticeDto[]>("app_notices"),
  /** The request as a command line for `flavour`, rendered by the engine (secrets never in it). */
  commandLine: (spec: Spec, flavour: CliFlavour) => call<string>("command_line", { spec, flavour }),
  /** Shows a file this window exported in the OS file manager. */
  revealExport: (path: string) => call<void>("reveal_export", { path }),
};

export type { CliFlavour, DemoOpened, ExportKind, ExportReport, ImportReport };
export { copyText } from "./clipboard";
export type Backend = typeof backend;
export { pickFile, pickSavePath, onFileDrop, windowLabel, type FileFilter } from "./dialog";

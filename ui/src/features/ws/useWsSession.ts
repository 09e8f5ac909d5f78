// WebSocket sessions in the UI, one per request tab: `WsSessionController` owns a session's state,
// its live log and send/disconnect; `useWsSessions` keeps one per tab and re-renders the window only
// on state changes (batches of rows go to the views that subscribe to the live log).
import { useCallback, useEffect, useRef, useState } from "react";
import { backend, type AppError, type CloseDto, type ConnState, type RequestSpec, type ScriptTestDto, type SendMode, type UpgradeDto, type WsBatch } from "../../ipc";
import { LiveLog } from "../../lib/liveLog";
import { attachmentArgs, type ScriptAttachment } from "../../lib/scriptAttachments";

/** The editor's request to connect (see `ConnectArgs.spec`), with its collection and stored id. */
export interface ConnectRequest {
  spec: RequestSpec;
  collection: number | null;
  requestId: number | null;
  /** The hook file and stop-on-error the Scripts tab attached. */
  attachment?: ScriptAttachment;
}

export interface ConnectOptions {
  recordFrames?: boolean;
  request?: ConnectRequest;
  /** Told what became of variables scripts set with scope `environment` (for a toast). */
  onVarsSaved?: (text: string) => void;
}

/** What the window shows of a session; a new object whenever any of it changes. */
export interface WsView {
  state: ConnState;
  session: number | null;
  /** Rows, frame count and rate: changes every batch without re-rendering the window (subscribe). */
  live: LiveLog;
  close: CloseDto | null;
  error: AppError | null;
  queued: number;
  /** Whether this session records frames. */
  recording: boolean;
  /** The last upgrade exchange (the "Upgrade report"). */
  upgrade: UpgradeDto | null;
  /** Script `test()` results of this session so far, in order. */
  tests: ScriptTestDto[];
}

export interface WsSession extends WsView {
  connect(url: string, reconnect: boolean, opts?: ConnectOptions): Promise<void>;
  disconnect(): Promise<void>;
  send(mode: SendMode, body: string): Promise<AppError | null>;
  clearError(): void;
}

const initialView = (): WsView => ({
  state: "Disconnected", session: null, live: new LiveLog(), close: null, error: null, queued: 0, recording: false, upgrade: null, tests: [],
});

export class WsSessionController {
  view: WsView = initialView();
  /** The engine's session id; -1 while connecting, null before the first connect. */
  private id: number | null = null;
  private listeners = new Set<() => void>();
  private onVarsSaved: ((text: string) => void) | undefined;

  subscribe(f: () => void): () => void {
    this.listeners.add(f);
    return () => {
      this.listeners.delete(f);
    };
  }

  private set(patch: Partial<WsView>): void {
    const next = { ...this.view, ...patch };
    const changed = (Object.keys(patch) as (keyof WsView)[]).some((k) => next[k] !== this.view[k]);
    if (!changed) return;
    this.view = next;
    for (const f of this.listeners) f();
  }

  private onBatch(mine: number | null, b: WsBatch): void {
    if (mine !== this.id) return; // a batch of a session this tab has replaced
    this.view.live.apply(b);
    const patch: Partial<WsView> = {};
    if (b.state) patch.state = b.state;
    if (b.close) patch.close = b.close;
    if (b.error) patch.error = b.error;
    if (b.queued !== null) patch.queued = b.queued;
    if (b.state === "Connected") patch.queued = 0;
    if (b.upgrade) patch.upgrade = b.upgrade;
    if (b.tests?.length) patch.tests = [...this.view.tests, ...b.tests];
    for (const text of b.vars_saved ?? []) this.onVarsSaved?.(text);
    this.set(patch);
  }

  async connect(url: string, reconnect: boolean, opts?: ConnectOptions): Promise<void> {
    const req = opts?.request;
    const recordFrames = opts?.recordFrames ?? false;
    this.onVarsSaved = opts?.onVarsSaved;
    const previous = this.id !== null && this.id >= 0 ? this.id : null;
    this.id = -1;
    this.set({ upgrade: null, live: new LiveLog(), close: null, error: null, queued: 0, recording: recordFrames, state: "Connecting", tests: [] });
    let mine: number | null = null;
    try {
      mine = await backend.wsConnect(
        {
          url, reconnect, subprotocols: [], headers: [], previous, record_frames: recordFrames,
          ...(req ? { spec: req.spec, collection: req.collection ?? undefined, request_id: req.requestId ?? undefined } : {}),
          ...(req?.attachment ? attachmentArgs(req.attachment) : {}),
        },
        (b) => this.onBatch(mine ?? -1, b),
      );
      this.id = mine;
      this.set({ session: mine });
    } catch (e) {
      this.id = null;
      this.set({ error: e as AppError, state: "Disconnected" });
    }
  }

  async disconnect(): Promise<void> {
    if (this.id === null || this.id < 0) return;
    try {
      await backend.wsDisconnect(this.id);
    } catch (e) {
      this.set({ error: e as AppError });
    }
  }

  async send(mode: SendMode, body: string): Promise<AppError | null> {
    if (this.id === null || this.id < 0) return { code: "ui.not_connected", message: "Connect first" };
    try {
      await backend.wsSend(this.id, mode, body);
      return null;
    } catch (e) {
      return e as AppError;
    }
  }

  clearError(): void {
    this.set({ error: null });
  }

  /** The tab closed: its connection goes too. */
  dispose(): void {
    void this.disconnect();
    this.listeners.clear();
  }
}

function sameStates(a: Record<string, ConnState>, b: Record<string, ConnState>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

/** One session per tab key; the active tab's session re-renders the caller when its state changes. */
export function useWsSessions(activeKey: string, openKeys: readonly string[]) {
  const sessions = useRef(new Map<string, WsSessionController>());
  const get = useCallback((key: string) => {
    let c = sessions.current.get(key);
    if (!c) {
      c = new WsSessionController();
      sessions.current.set(key, c);
    }
    return c;
  }, []);
  const ctrl = get(activeKey);
  const [, setSeen] = useState(0);
  useEffect(() => ctrl.subscribe(() => setSeen((n) => n + 1)), [ctrl]);

  // States of every tab's session (for the tab strip): re-read when any of them changes.
  const openSet = openKeys.join("\u0000");
  const [states, setStates] = useState<Record<string, ConnState>>({});
  useEffect(() => {
    const read = () => {
      const out: Record<string, ConnState> = {};
      for (const [k, c] of sessions.current) out[k] = c.view.state;
      setStates((old) => (sameStates(old, out) ? old : out));
    };
    const offs = [...sessions.current.values()].map((c) => c.subscribe(read));
    read();
    return () => offs.forEach((off) => off());
  }, [activeKey, openSet]);

  // Closed tabs disconnect.
  useEffect(() => {
    const open = new Set(openSet.split("\u0000"));
    for (const [k, c] of sessions.current) {
      if (!open.has(k)) {
        c.dispose();
        sessions.current.delete(k);
      }
    }
  }, [openSet]);

  const v = ctrl.view;
  const ws: WsSession = {
    ...v,
    connect: (url, reconnect, opts) => ctrl.connect(url, reconnect, opts),
    disconnect: () => ctrl.disconnect(),
    send: (mode, body) => ctrl.send(mode, body),
    clearError: () => ctrl.clearError(),
  };
  return { ws, states };
}

// Hook owning one WebSocket session in the UI: state, the log model, send and disconnect.
import { useCallback, useRef, useState } from "react";
import { backend, type AppError, type CloseDto, type ConnState, type RequestSpec, type SendMode, type UpgradeDto, type WsBatch } from "../../ipc";

/** The editor's request to connect (see `ConnectArgs.spec`), with its collection and stored id. */
export interface ConnectRequest {
  spec: RequestSpec;
  collection: number | null;
  requestId: number | null;
}
import { LiveLog } from "../../lib/liveLog";

export interface WsSession {
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
  connect(url: string, reconnect: boolean, opts?: { recordFrames?: boolean; request?: ConnectRequest }): Promise<void>;
  disconnect(): Promise<void>;
  send(mode: SendMode, body: string): Promise<AppError | null>;
  clearError(): void;
}

export function useWsSession(): WsSession {
  const [state, setState] = useState<ConnState>("Disconnected");
  const [session, setSession] = useState<number | null>(null);
  const [close, setClose] = useState<CloseDto | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [queued, setQueued] = useState(0);
  const [recording, setRecording] = useState(false);
  const [upgrade, setUpgrade] = useState<UpgradeDto | null>(null);
  const [live, setLive] = useState(() => new LiveLog());
  const liveRef = useRef(live);
  const sessionRef = useRef<number | null>(null);

  const onBatch = useCallback((id: () => number | null, b: WsBatch) => {
    if (id() !== sessionRef.current) return; // a batch of a session the user has replaced
    liveRef.current.apply(b);
    if (b.state) setState(b.state);
    if (b.close) setClose(b.close);
    if (b.error) setError(b.error);
    if (b.queued !== null) setQueued(b.queued);
    if (b.state === "Connected") setQueued(0);
    if (b.upgrade) setUpgrade(b.upgrade);
  }, []);

  const connect = useCallback(
    async (url: string, reconnect: boolean, opts?: { recordFrames?: boolean; request?: ConnectRequest }) => {
      const req = opts?.request;
      setUpgrade(null);
      const recordFrames = opts?.recordFrames ?? false;
      const previous = sessionRef.current;
      liveRef.current = new LiveLog();
      setLive(liveRef.current);
      setClose(null);
      setError(null);
      setQueued(0);
      setRecording(recordFrames);
      setState("Connecting");
      let mine: number | null = null;
      sessionRef.current = -1;
      try {
        mine = await backend.wsConnect(
          {
            url, reconnect, subprotocols: [], headers: [], previous, record_frames: recordFrames,
            ...(req ? { spec: req.spec, collection: req.collection ?? undefined, request_id: req.requestId ?? undefined } : {}),
          },
          (b) => onBatch(() => mine ?? -1, b),
        );
        sessionRef.current = mine;
        setSession(mine);
      } catch (e) {
        setError(e as AppError);
        setState("Disconnected");
      }
    },
    [onBatch],
  );

  const disconnect = useCallback(async () => {
    if (sessionRef.current === null || sessionRef.current < 0) return;
    try {
      await backend.wsDisconnect(sessionRef.current);
    } catch (e) {
      setError(e as AppError);
    }
  }, []);

  const send = useCallback(async (mode: SendMode, body: string) => {
    if (sessionRef.current === null || sessionRef.current < 0) {
      return { code: "ui.not_connected", message: "Connect first" };
    }
    try {
      await backend.wsSend(sessionRef.current, mode, body);
      return null;
    } catch (e) {
      return e as AppError;
    }
  }, []);

  return {
    state, session, live, close, error, queued, recording, upgrade,
    connect, disconnect, send, clearError: () => setError(null),
  };
}

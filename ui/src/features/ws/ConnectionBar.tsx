// The connection bar: URL, reconnect option, Connect/Disconnect, the status and the last close.
import type { CloseDto, ConnState } from "../../ipc";
import { UrlField } from "../request/UrlField";

interface Props {
  url: string;
  onUrl(url: string): void;
  /** Variable names the URL may use; `{{others}}` are flagged. */
  known?: ReadonlySet<string>;
  reconnect: boolean;
  onReconnect(on: boolean): void;
  /** Record every frame for the Frames tab (applies on Connect). */
  recordFrames?: boolean;
  onRecordFrames?(on: boolean): void;
  state: ConnState;
  close: CloseDto | null;
  queued: number;
  onConnect(): void;
  onDisconnect(): void;
  /** Connect is off, and this says why (a request the window cannot connect). */
  connectBlocked?: string;
}

const NONE: ReadonlySet<string> = new Set();

export function ConnectionBar(p: Props) {
  const idle = p.state === "Disconnected";
  return (
    <form
      className="connbar"
      onSubmit={(e) => {
        e.preventDefault();
        if (idle && !p.connectBlocked) p.onConnect();
      }}
    >
      <UrlField value={p.url} onChange={(e) => p.onUrl(e.target.value)} known={p.known ?? NONE} />
      <label className="check">
        <input type="checkbox" checked={p.reconnect} onChange={(e) => p.onReconnect(e.target.checked)} />
        Reconnect
      </label>
      {p.onRecordFrames && (
        <label className="check">
          <input type="checkbox" checked={p.recordFrames ?? false} onChange={(e) => p.onRecordFrames?.(e.target.checked)} />
          Record frames
        </label>
      )}
      {idle ? (
        <button type="submit" className="primary" disabled={!p.url.trim() || !!p.connectBlocked} title={p.connectBlocked}>
          Connect
        </button>
      ) : (
        <button type="button" onClick={p.onDisconnect}>
          Disconnect
        </button>
      )}
      <span role="status" className={`status status-${p.state.toLowerCase()}`}>
        {p.state}
      </span>
      {p.queued > 0 && <span className="queued">{p.queued} queued</span>}
      {p.close && (
        <span className="close-info" aria-label="Last close">
          {p.close.code} {p.close.name}
          {p.close.reason ? ` — ${p.close.reason}` : ""} ({p.close.by})
        </span>
      )}
    </form>
  );
}

// The welcome view: on first run and whenever no request is open. It opens the demo, starts a new
// request of any protocol, imports a collection (OS dialog) and reopens recent connections.
import { useEffect, useState } from "react";
import { backend, pickFile, type HistoryDto } from "../../ipc";
import { FILTERS } from "../../lib/fileKinds";
import { PROTOCOLS, type ProtocolId } from "../../lib/protocolSettings";
import { importCollection, ImportResult, type ImportOutcome } from "../share/ShareDialogs";
import "./welcome.css";

interface Props {
  onDemo(): void;
  onNew(protocol: ProtocolId): void;
  onOpenHistory(h: HistoryDto): void;
  /** A collection was imported: the sidebar reloads. */
  onImported(): void;
}

export function Welcome({ onDemo, onNew, onOpenHistory, onImported }: Props) {
  const [recent, setRecent] = useState<HistoryDto[]>([]);
  const [imported, setImported] = useState<ImportOutcome | null>(null);
  useEffect(() => {
    backend.historyList(6).then(setRecent).catch(() => setRecent([]));
  }, []);

  const importFile = async () => {
    const path = await pickFile({ title: "Import a collection", filters: FILTERS.collection });
    if (!path) return;
    const r = await importCollection(path, "auto");
    setImported(r);
    if (r.ok) onImported();
  };

  return (
    <section role="region" aria-label="Welcome" className="welcome">
      <h1>Sockpit</h1>
      <p className="muted">A workbench for WebSocket, Socket.IO, GraphQL, STOMP, MQTT and SSE. Start with the demo, a new request or your collections.</p>
      <div className="welcome-grid">
        <div className="welcome-card">
          <h2>Try it</h2>
          <p className="muted">Starts a local mock server and adds the demo collection.</p>
          <button type="button" className="primary" onClick={onDemo}>Open demo</button>
        </div>
        <div className="welcome-card">
          <h2>New request</h2>
          <div className="welcome-buttons">
            {PROTOCOLS.map(([id, label]) => (
              <button key={id} type="button" onClick={() => onNew(id)}>{`New ${label} request`}</button>
            ))}
          </div>
        </div>
        <div className="welcome-card">
          <h2>Import</h2>
          <p className="muted">Sockpit, Insomnia, Yaak, Bruno, Kreya, HAR or AsyncAPI; or drop the file on the window.</p>
          <button type="button" onClick={() => void importFile()}>Import collection…</button>
          {imported && <ImportResult result={imported} />}
        </div>
        <div className="welcome-card">
          <h2>Recent</h2>
          {recent.length === 0 ? (
            <p className="muted">Nothing yet: connections you make show here.</p>
          ) : (
            <ul aria-label="Recent requests" className="welcome-recent">
              {recent.map((h) => (
                <li key={h.id}>
                  <button type="button" className="link" title={h.url} onClick={() => onOpenHistory(h)}>{h.url}</button>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </section>
  );
}

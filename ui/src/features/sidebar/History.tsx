// The History section: recent connections (URL, time, outcome); clicking one opens it in a new tab.
import type { HistoryDto } from "../../ipc";

interface Props {
  items: HistoryDto[];
  onOpen(h: HistoryDto): void;
}

const time = (ms: number) => new Date(ms).toLocaleTimeString();

export function History(p: Props) {
  return (
    <section className="history" aria-label="History section">
      <h2>History</h2>
      <ul aria-label="History" className="history-list">
        {p.items.length === 0 && <li className="empty">No connections yet</li>}
        {p.items.map((h) => (
          <li key={h.id}>
            <button
              type="button"
              className="link"
              title={`${h.url} — ${h.outcome}`}
              aria-label={`Open ${h.url} (${h.outcome}, ${time(h.started_at)}) in a new tab`}
              onClick={() => p.onOpen(h)}
            >
              <span className="history-url">{h.url}</span>
              <span className="history-meta">{time(h.started_at)} · <span data-outcome={h.outcome}>{h.outcome}</span></span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

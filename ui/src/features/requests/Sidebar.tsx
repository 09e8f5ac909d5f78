// The sidebar: saved requests (open, delete), the demo server starter and the theme switch.
import type { SavedRequest } from "../../ipc";

interface Props {
  requests: SavedRequest[];
  activeId: string | null;
  onOpen(r: SavedRequest): void;
  onDelete(id: string): void;
  onDemo(): void;
  demoUrl: string | null;
  theme: "light" | "dark";
  onTheme(): void;
}

export function Sidebar(p: Props) {
  return (
    <nav className="sidebar" aria-label="Sidebar">
      <h2>Saved requests</h2>
      <ul className="requests" aria-label="Saved requests">
        {p.requests.length === 0 && <li className="empty">Nothing saved yet</li>}
        {p.requests.map((r) => (
          <li key={r.id} className={r.id === p.activeId ? "active" : ""}>
            <button type="button" className="link" onClick={() => p.onOpen(r)} title={r.url}>{r.name}</button>
            <button type="button" aria-label={`Delete ${r.name}`} onClick={() => p.onDelete(r.id)}>×</button>
          </li>
        ))}
      </ul>
      <div className="sidebar-foot">
        <button type="button" onClick={p.onDemo}>Start demo server</button>
        {p.demoUrl && <div className="demo-url">{p.demoUrl}</div>}
        <button type="button" onClick={p.onTheme} aria-label="Toggle theme">
          {p.theme === "dark" ? "Light theme" : "Dark theme"}
        </button>
      </div>
    </nav>
  );
}

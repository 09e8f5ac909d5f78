// Import and export of collections: two small panels in the sidebar, each a labelled form whose
// outcome (or error, with the text typed kept) shows where the user acted.
import { useState } from "react";
import { backend, type ExportKind, type TreeNodeDto } from "../../ipc";
import { describeImport, EXPORT_KINDS, exportFileName, IMPORT_FORMATS, joinPath } from "../../lib/share";

interface Props {
  collections: TreeNodeDto[];
  /** The store changed (a collection was imported). */
  onImported(collection: number): void;
}

export function ShareDialogs({ collections, onImported }: Props) {
  const [open, setOpen] = useState<"import" | "export" | null>(null);
  return (
    <div className="share">
      <div className="share-buttons">
        <button type="button" aria-expanded={open === "import"} onClick={() => setOpen(open === "import" ? null : "import")}>
          Import…
        </button>
        <button type="button" aria-expanded={open === "export"} onClick={() => setOpen(open === "export" ? null : "export")}>
          Export…
        </button>
      </div>
      {open === "import" && <ImportPanel onImported={onImported} />}
      {open === "export" && <ExportPanel collections={collections} />}
    </div>
  );
}

function ImportPanel({ onImported }: { onImported(collection: number): void }) {
  const [path, setPath] = useState("");
  const [format, setFormat] = useState("auto");
  const [result, setResult] = useState<{ ok: boolean; text: string; warnings: string[] } | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      const r = await backend.collectionImport(path, format === "auto" ? null : format);
      setResult({ ok: true, text: describeImport(r), warnings: r.warnings });
      onImported(r.collection);
    } catch (e) {
      setResult({ ok: false, text: (e as { message: string }).message, warnings: [] });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form role="dialog" aria-label="Import collection" className="share-panel" onSubmit={(e) => { e.preventDefault(); void run(); }}>
      <label>
        File or Bruno folder
        <input aria-label="Import path" value={path} placeholder="/path/to/collection.json" onChange={(e) => setPath(e.target.value)} />
      </label>
      <label>
        Format
        <select aria-label="Import format" value={format} onChange={(e) => setFormat(e.target.value)}>
          {IMPORT_FORMATS.map((f) => <option key={f} value={f}>{f}</option>)}
        </select>
      </label>
      <button type="submit" disabled={busy}>Import</button>
      {result && (
        <div role={result.ok ? undefined : "alert"} aria-live="polite" className={result.ok ? "share-ok" : "error"}>
          {result.text}
          {result.warnings.length > 0 && <ul aria-label="Import warnings">{result.warnings.map((w, i) => <li key={i}>{w}</li>)}</ul>}
        </div>
      )}
    </form>
  );
}

function ExportPanel({ collections }: { collections: TreeNodeDto[] }) {
  const [id, setId] = useState<number | null>(collections[0]?.id ?? null);
  const [kind, setKind] = useState<ExportKind>("sockpit");
  const [dir, setDir] = useState("");
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const chosen = collections.find((c) => c.id === id) ?? collections[0];
  const file = chosen ? joinPath(dir, exportFileName(chosen.name, kind)) : "";
  const run = async () => {
    if (!chosen) return;
    try {
      const r = await backend.collectionExport(chosen.id, file, kind);
      setResult({ ok: true, text: `Exported “${chosen.name}” to ${r.path} (${r.bytes} bytes)` });
    } catch (e) {
      setResult({ ok: false, text: (e as { message: string }).message });
    }
  };
  if (!collections.length) return <div className="share-panel" role="dialog" aria-label="Export collection">No collections to export yet.</div>;
  return (
    <form role="dialog" aria-label="Export collection" className="share-panel" onSubmit={(e) => { e.preventDefault(); void run(); }}>
      <label>
        Collection
        <select aria-label="Export collection" value={chosen?.id ?? ""} onChange={(e) => setId(Number(e.target.value))}>
          {collections.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </select>
      </label>
      <label>
        Format
        <select aria-label="Export format" value={kind} onChange={(e) => setKind(e.target.value as ExportKind)}>
          {EXPORT_KINDS.map((k) => <option key={k.kind} value={k.kind}>{k.label}</option>)}
        </select>
      </label>
      <label>
        Folder
        <input aria-label="Export folder" value={dir} placeholder="/path/to/folder" onChange={(e) => setDir(e.target.value)} />
      </label>
      <div className="share-file" aria-label="Export file">{file}</div>
      <button type="submit">Export</button>
      {result && <div role={result.ok ? undefined : "alert"} aria-live="polite" className={result.ok ? "share-ok" : "error"}>{result.text}</div>}
    </form>
  );
}

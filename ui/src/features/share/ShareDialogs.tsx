// Import and export of collections: two small panels in the sidebar, each a labelled form whose
// file is chosen in the OS dialog and whose outcome (or error, naming the file) shows where the
// user acted. A file dropped onto the window is imported the same way (`importCollection`).
import { useState } from "react";
import { backend, pickFile, pickSavePath, type ExportKind, type TreeNodeDto } from "../../ipc";
import { FILTERS } from "../../lib/fileKinds";
import { describeImport, EXPORT_KINDS, exportFileName, IMPORT_FORMATS } from "../../lib/share";
import { useExportToast } from "../toasts/useCopy";

export type ImportOutcome = { ok: boolean; text: string; warnings: string[]; collection?: number };

/** Imports the file or folder at `path`; never rejects (an error is the outcome's text). */
export async function importCollection(path: string, format: string): Promise<ImportOutcome> {
  try {
    const r = await backend.collectionImport(path, format === "auto" ? null : format);
    return { ok: true, text: describeImport(r), warnings: r.warnings, collection: r.collection };
  } catch (e) {
    return { ok: false, text: (e as { message: string }).message, warnings: [] };
  }
}

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
  const [format, setFormat] = useState("auto");
  const [result, setResult] = useState<ImportOutcome | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (directory: boolean) => {
    const path = await pickFile({
      title: directory ? "Import a Bruno collection folder" : "Import a collection",
      filters: directory ? undefined : FILTERS.collection,
      directory,
    });
    if (!path) return;
    setBusy(true);
    const r = await importCollection(path, directory && format === "auto" ? "bruno" : format);
    setResult(r);
    setBusy(false);
    if (r.ok && r.collection !== undefined) onImported(r.collection);
  };
  return (
    <form role="dialog" aria-label="Import collection" className="share-panel" onSubmit={(e) => { e.preventDefault(); void run(false); }}>
      <label>
        Format
        <select aria-label="Import format" value={format} onChange={(e) => setFormat(e.target.value)}>
          {IMPORT_FORMATS.map((f) => <option key={f} value={f}>{f}</option>)}
        </select>
      </label>
      <div className="share-buttons">
        <button type="submit" disabled={busy} title="Choose the file in the OS dialog (or drop it on the window)">Import file…</button>
        <button type="button" disabled={busy} onClick={() => void run(true)}>Import Bruno folder…</button>
      </div>
      {result && <ImportResult result={result} />}
    </form>
  );
}

export function ImportResult({ result }: { result: ImportOutcome }) {
  return (
    <div role={result.ok ? undefined : "alert"} aria-live="polite" className={result.ok ? "share-ok" : "error"}>
      {result.text}
      {result.warnings.length > 0 && <ul aria-label="Import warnings">{result.warnings.map((w, i) => <li key={i}>{w}</li>)}</ul>}
    </div>
  );
}

function ExportPanel({ collections }: { collections: TreeNodeDto[] }) {
  const [id, setId] = useState<number | null>(collections[0]?.id ?? null);
  const [kind, setKind] = useState<ExportKind>("sockpit");
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const exported = useExportToast();
  const chosen = collections.find((c) => c.id === id) ?? collections[0];
  const run = async () => {
    if (!chosen) return;
    const file = await pickSavePath({ title: `Export “${chosen.name}”`, defaultPath: exportFileName(chosen.name, kind) });
    if (!file) return;
    try {
      const r = await backend.collectionExport(chosen.id, file, kind);
      setResult({ ok: true, text: `Exported “${chosen.name}” to ${r.path} (${r.bytes} bytes)` });
      exported(`Exported “${chosen.name}” to ${r.path}`, r.path);
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
      <button type="submit" title="Choose where to save in the OS dialog">Export to file…</button>
      {result && <div role={result.ok ? undefined : "alert"} aria-live="polite" className={result.ok ? "share-ok" : "error"}>{result.text}</div>}
    </form>
  );
}

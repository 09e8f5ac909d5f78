// Import/export dialog logic: export file names per format and the import summary line.
import type { ExportKind, ImportReport } from "../ipc";

export const EXPORT_KINDS: { kind: ExportKind; label: string; ext: string }[] = [
  { kind: "sockpit", label: "Sockpit collection (.sockpit.json)", ext: ".sockpit.json" },
  { kind: "k6", label: "k6 script (.js)", ext: ".k6.js" },
  { kind: "wscat", label: "wscat commands (.sh)", ext: ".wscat.sh" },
  { kind: "websocat", label: "websocat commands (.sh)", ext: ".websocat.sh" },
  { kind: "curl", label: "curl commands (.sh)", ext: ".curl.sh" },
];

export const IMPORT_FORMATS = ["auto", "sockpit", "insomnia", "yaak", "bruno", "kreya", "har", "asyncapi"];

/** A file name for a collection in a format: path-unsafe characters replaced, never empty or hidden. */
export function exportFileName(collection: string, kind: ExportKind): string {
  const safe = collection.replace(/[^\p{L}\p{N}\-_. ]/gu, "_").trim().replace(/^\.+/, "");
  const ext = EXPORT_KINDS.find((k) => k.kind === kind)?.ext ?? ".txt";
  return (safe || "collection") + ext;
}

/** Joins a folder and a file name the way the user's other paths look. */
export function joinPath(dir: string, file: string): string {
  const d = dir.trim();
  if (!d) return file;
  return d.endsWith("/") || d.endsWith("\\") ? d + file : `${d}/${file}`;
}

/** One line saying what an import did. */
export function describeImport(r: ImportReport): string {
  const n = `${r.requests} request${r.requests === 1 ? "" : "s"}`;
  const renamed = r.renamed_from ? ` (renamed from “${r.renamed_from}”, a collection of that name exists)` : "";
  const warned = r.warnings.length ? `; ${r.warnings.length} warning${r.warnings.length === 1 ? "" : "s"}` : "";
  return `Imported “${r.name}” from ${r.format}: ${n}${renamed}${warned}`;
}

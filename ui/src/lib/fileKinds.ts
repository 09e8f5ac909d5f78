// What the OS file dialogs offer for each file the window asks for, and what a file dropped onto
// the window is taken as.
import type { FileFilter } from "../ipc/dialog";

const ALL: FileFilter = { name: "All files", extensions: ["*"] };

export const FILTERS = {
  schema: [{ name: "Protobuf schema or descriptor set", extensions: ["proto", "binpb", "desc", "pb"] }, ALL],
  collection: [{ name: "Collections (Sockpit, Insomnia, Yaak, Kreya, HAR, AsyncAPI)", extensions: ["json", "yaml", "yml", "har"] }, ALL],
  log: [{ name: "JSON Lines", extensions: ["jsonl"] }, ALL],
  pem: [{ name: "PEM or DER", extensions: ["pem", "crt", "cer", "der", "key"] }, ALL],
  any: [ALL],
} satisfies Record<string, FileFilter[]>;

export type DropAction = "schema" | "import";

/** A dropped file: a `.proto` or descriptor set loads as the schema; anything else is imported. */
export function dropAction(path: string): DropAction {
  return /\.(proto|binpb|desc)$/i.test(path) ? "schema" : "import";
}

/** The last part of a path, for showing a chosen file compactly (the full path is its title). */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}

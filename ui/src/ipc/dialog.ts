// The OS file dialogs (tauri-plugin-dialog) and file drops onto the window: every file the window
// reads or writes is chosen here, never typed into a text box.
//
// Under WebDriver the OS file chooser cannot be driven, so the window e2e stubs the dialog at this
// boundary: the harness puts answers in `window.__sockpitDialogStub` (a queue of paths; `null` is a
// cancel) through executeScript, and they are honoured only when the app runs with
// `SOCKPIT_E2E_DIALOGS=1` (the `dialog_stub_allowed` command). A normal run always shows the OS dialog.
import { invoke } from "@tauri-apps/api/core";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { open, save } from "@tauri-apps/plugin-dialog";

/** A group of file types the dialog offers, e.g. `{ name: "Protobuf schema", extensions: ["proto"] }`. */
export interface FileFilter {
  name: string;
  extensions: string[];
}

export interface PickOptions {
  title: string;
  filters?: FileFilter[];
  /** Pick a folder rather than a file (a Bruno collection is a folder). */
  directory?: boolean;
}

export interface SaveOptions {
  title: string;
  /** The proposed file name (or full path). */
  defaultPath?: string;
  filters?: FileFilter[];
}

declare global {
  interface Window {
    /** e2e only: the answers the next dialogs give (see the file comment). */
    __sockpitDialogStub?: (string | null)[];
  }
}

let stubAllowed: Promise<boolean> | null = null;

/** The stub's next answer, or `undefined` when the OS dialog is to be shown. */
async function stubbed(): Promise<string | null | undefined> {
  const queue = typeof window === "undefined" ? undefined : window.__sockpitDialogStub;
  if (!queue) return undefined;
  stubAllowed ??= invoke<boolean>("dialog_stub_allowed").catch(() => false);
  if (!(await stubAllowed)) return undefined;
  return queue.length ? queue.shift() ?? null : null;
}

/** The OS "open" dialog; the chosen path, or null when the user cancelled. */
export async function pickFile(o: PickOptions): Promise<string | null> {
  const s = await stubbed();
  if (s !== undefined) return s;
  const r = await open({ title: o.title, filters: o.filters, directory: o.directory ?? false, multiple: false });
  return typeof r === "string" ? r : null;
}

/** The OS "save" dialog; the chosen path, or null when the user cancelled. */
export async function pickSavePath(o: SaveOptions): Promise<string | null> {
  const s = await stubbed();
  if (s !== undefined) return s;
  return (await save({ title: o.title, defaultPath: o.defaultPath, filters: o.filters })) ?? null;
}

/**
 * Calls `onDrop` with the paths of files dropped onto the window and `onHover(true/false)` while a
 * drag is over it. Returns the unsubscribe function.
 */
export function onFileDrop(onDrop: (paths: string[]) => void, onHover?: (over: boolean) => void): () => void {
  let stop: (() => void) | null = null;
  let cancelled = false;
  getCurrentWebview()
    .onDragDropEvent((e) => {
      const p = e.payload;
      if (p.type === "enter" || p.type === "over") onHover?.(true);
      else if (p.type === "leave") onHover?.(false);
      else if (p.type === "drop") {
        onHover?.(false);
        if (p.paths.length) onDrop(p.paths);
      }
    })
    .then((un) => {
      if (cancelled) un();
      else stop = un;
    })
    .catch(() => undefined);
  return () => {
    cancelled = true;
    stop?.();
  };
}

/** The label of the window this UI runs in (`main`), for state kept per window. */
export function windowLabel(): string {
  try {
    return getCurrentWebview().label || "main";
  } catch {
    return "main";
  }
}

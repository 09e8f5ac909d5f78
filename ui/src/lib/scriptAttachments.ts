// What the Scripts tab attaches to a request beside its own hooks, kept in the window's own state
// (localStorage), never in the shared collection: a hook file (a path on this machine, the same
// file `sockpit connect --script` and `sockpit run --script` take) and "stop on script error".
// Per stored request (by id), or per tab while the request is unsaved. Pure, tested in
// scriptAttachments.test.ts.
import type { ConnectArgs } from "../ipc";

export interface ScriptAttachment {
  /** The hook file's path, or null when none is attached. */
  hookFile: string | null;
  stopOnError: boolean;
}

export type Attachments = Record<string, ScriptAttachment>;

/** The tab as attachments see it. */
export interface AttachmentOwner {
  key: string;
  storedId: number | null;
}

export const STORAGE_KEY = "sockpit.scriptAttachments.v1";

export const noAttachment = (): ScriptAttachment => ({ hookFile: null, stopOnError: false });

const keyOf = (t: AttachmentOwner) => (t.storedId !== null ? `request:${t.storedId}` : `tab:${t.key}`);

/** The attachment of `t`: its stored request's, else (unsaved, or saved since) its tab's. */
export function attachmentOf(all: Attachments, t: AttachmentOwner): ScriptAttachment {
  return all[keyOf(t)] ?? all[`tab:${t.key}`] ?? noAttachment();
}

/** `all` with `t`'s attachment set to `a` (an empty attachment is dropped). */
export function withAttachment(all: Attachments, t: AttachmentOwner, a: ScriptAttachment): Attachments {
  const next = { ...all };
  delete next[`tab:${t.key}`];
  delete next[keyOf(t)];
  if (a.hookFile || a.stopOnError) next[keyOf(t)] = { hookFile: a.hookFile || null, stopOnError: a.stopOnError };
  return next;
}

/** What `ws_connect` takes of an attachment. */
export function attachmentArgs(a: ScriptAttachment): Pick<ConnectArgs, "hook_file" | "stop_on_script_error"> {
  return {
    ...(a.hookFile ? { hook_file: a.hookFile } : {}),
    ...(a.stopOnError ? { stop_on_script_error: true } : {}),
  };
}

/** The attachments kept in `storage`; anything malformed is left out. */
export function loadAttachments(storage: Pick<Storage, "getItem"> | undefined = globalThis.localStorage): Attachments {
  try {
    const raw = JSON.parse(storage?.getItem(STORAGE_KEY) ?? "{}") as Record<string, Partial<ScriptAttachment>>;
    const out: Attachments = {};
    for (const [k, v] of Object.entries(raw ?? {})) {
      if (!v || typeof v !== "object") continue;
      const hookFile = typeof v.hookFile === "string" && v.hookFile ? v.hookFile : null;
      const stopOnError = v.stopOnError === true;
      if (hookFile || stopOnError) out[k] = { hookFile, stopOnError };
    }
    return out;
  } catch {
    return {};
  }
}

export function saveAttachments(all: Attachments, storage: Pick<Storage, "setItem"> | undefined = globalThis.localStorage): void {
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify(all));
  } catch {
    // Storage full or unavailable: attachments are a convenience.
  }
}

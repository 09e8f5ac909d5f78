// Saved messages of a request: default names, and reading them back from older saved state (plain
// strings before messages had names and kinds).
import type { SavedMessageDto, SendMode } from "../ipc";

const MODES: readonly SendMode[] = ["text", "json", "hex", "base64", "file", "protobuf"];

/** A message's name when the user gave none: its first line, cut to 40 characters (as the store does). */
export function defaultMessageName(body: string): string {
  const first = (body.split("\n")[0] ?? "").trim();
  return [...first].slice(0, 40).join("") || "message";
}

/** A new saved message: the given name (trimmed) or the default one. */
export function savedMessage(body: string, kind: SendMode, name = ""): SavedMessageDto {
  return { name: name.trim() || defaultMessageName(body), kind, body };
}

/** Saved messages from stored JSON: objects are checked, plain strings become text messages. */
export function readMessages(raw: unknown): SavedMessageDto[] {
  if (!Array.isArray(raw)) return [];
  const out: SavedMessageDto[] = [];
  for (const m of raw) {
    if (typeof m === "string") out.push(savedMessage(m, "text"));
    else if (m && typeof m === "object" && typeof (m as SavedMessageDto).body === "string") {
      const o = m as Partial<SavedMessageDto>;
      const kind = MODES.includes(o.kind as SendMode) ? (o.kind as SendMode) : "text";
      out.push(savedMessage(o.body!, kind, typeof o.name === "string" ? o.name : ""));
    }
  }
  return out;
}

// Composer rules: checks a message for its mode (text, JSON, hex, base64, file path, protobuf JSON)
// before it is sent, with a readable error.
import type { SendMode } from "../ipc";

export type Check = { ok: true } | { ok: false; error: string };

export const MODES: { value: SendMode; label: string }[] = [
  { value: "text", label: "Text" },
  { value: "json", label: "JSON" },
  { value: "hex", label: "Hex" },
  { value: "base64", label: "Base64" },
  { value: "file", label: "File" },
  { value: "protobuf", label: "Protobuf JSON" },
];

/** Validates `body` for `mode`; the engine checks again, this is for an early, local message. */
export function checkMessage(mode: SendMode, body: string): Check {
  switch (mode) {
    case "text":
      return { ok: true };
    case "file":
      return body.trim() ? { ok: true } : { ok: false, error: "Type the path of the file to send" };
    case "protobuf":
    case "json":
      try {
        JSON.parse(body);
        return { ok: true };
      } catch (e) {
        return { ok: false, error: `Invalid JSON: ${e instanceof Error ? e.message : String(e)}` };
      }
    case "hex": {
      const clean = body.replace(/0x/gi, "").replace(/[\s:,-]/g, "");
      const bad = clean.search(/[^0-9a-fA-F]/);
      if (bad >= 0) return { ok: false, error: `Invalid hex: '${clean[bad]}' is not a hex digit` };
      if (clean.length % 2 !== 0) return { ok: false, error: "Invalid hex: odd number of digits" };
      return { ok: true };
    }
    case "base64": {
      const clean = body.replace(/\s/g, "");
      if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean)) return { ok: false, error: "Invalid base64" };
      return { ok: true };
    }
  }
}

/** Pretty-prints JSON for the Format button; returns the input unchanged when it does not parse. */
export function formatJson(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

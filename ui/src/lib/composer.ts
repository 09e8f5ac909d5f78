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
      return body.trim() ? { ok: true } : { ok: false, error: "Choose the file to send" };
    case "protobuf":
    case "json":
      try {
        JSON.parse(body);
        return { ok: true };
      } catch (e) {
        return { ok: false, error: `Invalid JSON: ${e instanceof Error ? e.message : String(e)}` };
      }
    case "hex":
      return checkHex(body);
    case "base64": {
      const clean = body.replace(/\s/g, "");
      if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean)) return { ok: false, error: "Invalid base64" };
      return { ok: true };
    }
  }
}

const isSeparator = (c: string) => /[\s:,-]/.test(c);

/**
 * The engine's hex rule (`payload::parse_hex`): pairs of hex digits, separators (whitespace, `:`,
 * `-`, `,`) anywhere, and a `0x` prefix at the start of any group. `tests/data/hex-rule.json` holds
 * the cases both test suites check, so the two cannot drift apart.
 */
export function checkHex(body: string): Check {
  const s = body.trim();
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (isSeparator(c)) continue;
    const groupStart = i === 0 || isSeparator(s[i - 1]);
    if (groupStart && c === "0" && (s[i + 1] === "x" || s[i + 1] === "X")) {
      i++;
      continue;
    }
    if (!/[0-9a-fA-F]/.test(c)) return { ok: false, error: `Invalid hex: '${c}' is not a hex digit (character ${i + 1})` };
    digits++;
  }
  if (digits % 2 !== 0) return { ok: false, error: `Invalid hex: odd number of digits (${digits}): every byte needs two` };
  return { ok: true };
}

/** Pretty-prints JSON for the Format button; returns the input unchanged when it does not parse. */
export function formatJson(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

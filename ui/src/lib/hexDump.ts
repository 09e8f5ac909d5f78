// Hex + ASCII dump of binary payloads for the detail pane: offset, 16 bytes in hex, printable ASCII.

/** Bytes from a hex string (whitespace ignored); odd trailing digits are dropped. */
export function hexToBytes(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, "");
  const out = new Uint8Array(Math.floor(clean.length / 2));
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export interface DumpLine {
  offset: string;
  hex: string;
  ascii: string;
}

/** One line per `width` bytes: `00000010`, `de ad be ef ...` (padded), `....`. */
export function hexDump(bytes: Uint8Array, width = 16): DumpLine[] {
  const lines: DumpLine[] = [];
  for (let at = 0; at < bytes.length; at += width) {
    const chunk = bytes.subarray(at, at + width);
    const hex = Array.from(chunk, (b) => b.toString(16).padStart(2, "0"));
    while (hex.length < width) hex.push("  ");
    const ascii = Array.from(chunk, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".")).join("");
    lines.push({ offset: at.toString(16).padStart(8, "0"), hex: hex.join(" "), ascii });
  }
  return lines;
}

/** A dump as text (the way `hexdump -C` lays it out). */
export function hexDumpText(bytes: Uint8Array, width = 16): string {
  return hexDump(bytes, width)
    .map((l) => `${l.offset}  ${l.hex}  |${l.ascii}|`)
    .join("\n");
}

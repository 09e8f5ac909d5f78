// Hex + ASCII view of a binary payload (detail pane).
import { useMemo } from "react";
import { hexDump, hexToBytes } from "../../lib/hexDump";

export function HexView({ hex, truncated }: { hex: string; truncated: boolean }) {
  const lines = useMemo(() => hexDump(hexToBytes(hex)), [hex]);
  return (
    <div className="hex-view" aria-label="Hex view" role="table">
      {lines.map((l) => (
        <div key={l.offset} role="row" className="hex-line">
          <span role="cell" className="hex-off">{l.offset}</span>
          <span role="cell" className="hex-bytes">{l.hex}</span>
          <span role="cell" className="hex-ascii">{l.ascii}</span>
        </div>
      ))}
      {truncated && <div className="muted">… (first 64 KiB)</div>}
    </div>
  );
}

// The help sheet: every keyboard shortcut, opened with ? (outside a text field) or from the palette.
import { useEffect, useRef } from "react";
import { displayKeys, SHORTCUTS } from "../../lib/shortcuts";
import "./palette.css";

export function ShortcutsHelp({ mac, onClose }: { mac: boolean; onClose(): void }) {
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus(), []);
  return (
    <div className="overlay" onMouseDown={(e) => { if (e.target === e.currentTarget) onClose(); }}>
      <div role="dialog" aria-modal="true" aria-label="Keyboard shortcuts" className="palette help"
        onKeyDown={(e) => { if (e.key === "Escape") { e.preventDefault(); onClose(); } }}>
        <h2>Keyboard shortcuts</h2>
        <table>
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.id}><td>{s.label}</td><td><kbd>{displayKeys(s.keys, mac)}</kbd></td></tr>
            ))}
          </tbody>
        </table>
        <button ref={close} type="button" onClick={onClose}>Close</button>
      </div>
    </div>
  );
}

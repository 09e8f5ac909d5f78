// The command palette (Ctrl/Cmd+K): a dialog with a text input over every action and every stored
// request; typing filters, the arrows move, Enter runs the selected command, Escape closes.
import { useEffect, useMemo, useRef, useState } from "react";
import { matchCommands } from "../../lib/shortcuts";
import "./palette.css";

export interface Command {
  id: string;
  title: string;
  /** A shortcut or a note shown at the right. */
  hint?: string;
  /** The option's tooltip. */
  tooltip?: string;
  run(): void;
}

interface Props {
  commands: Command[];
  onClose(): void;
}

export function CommandPalette({ commands, onClose }: Props) {
  const [query, setQuery] = useState("");
  const [at, setAt] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const shown = useMemo(() => matchCommands(commands, query), [commands, query]);
  const sel = Math.min(at, Math.max(0, shown.length - 1));
  useEffect(() => input.current?.focus(), []);
  useEffect(() => {
    document.getElementById(`palette-${sel}`)?.scrollIntoView?.({ block: "nearest" });
  }, [sel]);

  const run = (c: Command | undefined) => {
    if (!c) return;
    onClose();
    c.run();
  };

  const onKey = (e: React.KeyboardEvent) => {
    if (e.key === "ArrowDown") { e.preventDefault(); setAt(Math.min(sel + 1, shown.length - 1)); }
    else if (e.key === "ArrowUp") { e.preventDefault(); setAt(Math.max(sel - 1, 0)); }
    else if (e.key === "Enter") { e.preventDefault(); run(shown[sel]); }
    else if (e.key === "Escape") { e.preventDefault(); onClose(); }
  };

  return (
    <div className="overlay" onMouseDown={(e) => { if (e.target === e.currentTarget) onClose(); }}>
      <div role="dialog" aria-modal="true" aria-label="Command palette" className="palette" onKeyDown={onKey}>
        <input
          ref={input}
          role="combobox"
          aria-label="Command"
          aria-expanded="true"
          aria-controls="palette-list"
          aria-activedescendant={shown.length ? `palette-${sel}` : undefined}
          placeholder="Type a command or a request name"
          value={query}
          onChange={(e) => { setQuery(e.target.value); setAt(0); }}
        />
        <ul id="palette-list" role="listbox" aria-label="Commands" className="palette-list">
          {shown.length === 0 && <li className="muted">No command matches</li>}
          {shown.map((c, i) => (
            <li key={c.id} id={`palette-${i}`} role="option" aria-selected={i === sel} title={c.tooltip}
              className={i === sel ? "selected" : undefined} onMouseMove={() => setAt(i)} onClick={() => run(c)}>
              <span>{c.title}</span>
              {c.hint && <kbd>{c.hint}</kbd>}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

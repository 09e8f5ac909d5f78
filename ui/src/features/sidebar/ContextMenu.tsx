// A context menu (role="menu") at the pointer or the focused item: arrows move, Enter runs,
// Escape or a click elsewhere closes, and focus returns to where it was.
import { useEffect, useRef } from "react";

export interface MenuItem {
  label: string;
  disabled?: boolean;
  /** The item's tooltip. */
  title?: string;
  run(): void;
}

interface Props {
  label: string;
  x: number;
  y: number;
  items: MenuItem[];
  /** `refocus`: give focus back (Escape, a click elsewhere); an item's action places focus itself. */
  onClose(refocus: boolean): void;
}

export function ContextMenu({ label, x, y, items, onClose }: Props) {
  const ref = useRef<HTMLUListElement>(null);
  const buttons = () => Array.from(ref.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]:not(:disabled)') ?? []);
  useEffect(() => {
    buttons()[0]?.focus();
    const away = (e: MouseEvent) => { if (!ref.current?.contains(e.target as Node)) onClose(false); };
    window.addEventListener("mousedown", away);
    return () => window.removeEventListener("mousedown", away);
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  const onKey = (e: React.KeyboardEvent) => {
    e.stopPropagation();
    const all = buttons();
    const i = all.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === "ArrowDown") { e.preventDefault(); all[(i + 1) % all.length]?.focus(); }
    else if (e.key === "ArrowUp") { e.preventDefault(); all[(i - 1 + all.length) % all.length]?.focus(); }
    else if (e.key === "Home") { e.preventDefault(); all[0]?.focus(); }
    else if (e.key === "End") { e.preventDefault(); all[all.length - 1]?.focus(); }
    else if (e.key === "Escape" || e.key === "Tab") { e.preventDefault(); onClose(true); }
  };

  // Kept inside the window: the menu opens up or left when there is no room below or right.
  const style = { left: Math.min(x, window.innerWidth - 220), top: Math.min(y, window.innerHeight - 32 * items.length - 8) };
  return (
    <ul ref={ref} role="menu" aria-label={label} className="context-menu" style={style} onKeyDown={onKey}>
      {items.map((it) => (
        <li key={it.label} role="none">
          <button type="button" role="menuitem" disabled={it.disabled} title={it.title} onClick={() => { onClose(false); it.run(); }}>{it.label}</button>
        </li>
      ))}
    </ul>
  );
}

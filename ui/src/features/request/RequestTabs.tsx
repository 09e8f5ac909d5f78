// The request tabs (role=tablist): one per open request, select, close, and a new blank tab; a
// tab's context menu (right click, Shift+F10, the Menu key) holds its actions ("Copy as …").
import { useEffect, useState, type KeyboardEvent } from "react";
import { ContextMenu, type MenuItem } from "../sidebar/ContextMenu";
import type { ConnState } from "../../ipc";
import type { RequestTab } from "./useRequestTabs";

interface Props {
  tabs: RequestTab[];
  /** Each tab's connection state (tabs without a session are disconnected). */
  states?: Record<string, ConnState>;
  active: string;
  onSelect(key: string): void;
  onClose(key: string): void;
  onNew(): void;
  /** The actions in a tab's context menu. */
  menuItems?(tab: RequestTab): MenuItem[];
}

export const tabTitle = (t: RequestTab) => t.spec.name.trim() || t.spec.url.trim() || "Untitled";

export function RequestTabs(p: Props) {
  const [menu, setMenu] = useState<{ key: string; x: number; y: number } | null>(null);
  const menuTab = menu ? p.tabs.find((t) => t.key === menu.key) : undefined;
  const onKey = (e: KeyboardEvent) => {
    if (p.menuItems && (e.key === "ContextMenu" || (e.key === "F10" && e.shiftKey))) {
      const el = document.getElementById(`reqtab-${p.active}`);
      const r = el?.getBoundingClientRect();
      setMenu({ key: p.active, x: (r?.left ?? 0) + 12, y: (r?.bottom ?? 0) + 2 });
      e.preventDefault();
      return;
    }
    const i = p.tabs.findIndex((t) => t.key === p.active);
    const to = e.key === "ArrowRight" ? i + 1 : e.key === "ArrowLeft" ? i - 1 : -2;
    if (to === -2) return;
    const t = p.tabs[(to + p.tabs.length) % p.tabs.length];
    p.onSelect(t.key);
    e.preventDefault();
    requestAnimationFrame(() => document.getElementById(`reqtab-${t.key}`)?.focus());
  };
  // The active tab is scrolled into sight when the row overflows (the New tab button never scrolls).
  useEffect(() => {
    document.getElementById(`reqtab-${p.active}`)?.scrollIntoView?.({ block: "nearest", inline: "nearest" });
  }, [p.active, p.tabs.length]);
  return (
    <div className="request-tabs">
      <div role="tablist" aria-label="Requests" onKeyDown={onKey}>
        {p.tabs.map((t) => (
          <span key={t.key} className={`request-tab${t.key === p.active ? " active" : ""}`}>
            <button
              type="button"
              role="tab"
              id={`reqtab-${t.key}`}
              aria-selected={t.key === p.active}
              tabIndex={t.key === p.active ? 0 : -1}
              onClick={() => p.onSelect(t.key)}
              onContextMenu={(e) => { if (!p.menuItems) return; e.preventDefault(); setMenu({ key: t.key, x: e.clientX, y: e.clientY }); }}
              title={t.spec.url}
            >
              {p.states?.[t.key] && p.states[t.key] !== "Disconnected" && (
                <span className={`tab-conn conn-${p.states[t.key].toLowerCase()}`} title={p.states[t.key]} aria-hidden>● </span>
              )}
              {tabTitle(t)}{t.storedId === null ? " •" : ""}
            </button>
            <button type="button" className="tab-close" aria-label={`Close tab ${tabTitle(t)}`} onClick={() => p.onClose(t.key)}>×</button>
          </span>
        ))}
      </div>
      <button type="button" aria-label="New tab" title="New tab (Ctrl+T)" onClick={p.onNew}>+</button>
      {menu && menuTab && p.menuItems && (
        <ContextMenu label={`Actions for tab ${tabTitle(menuTab)}`} x={menu.x} y={menu.y} items={p.menuItems(menuTab)}
          onClose={(refocus) => { setMenu(null); if (refocus) document.getElementById(`reqtab-${menu.key}`)?.focus(); }} />
      )}
    </div>
  );
}

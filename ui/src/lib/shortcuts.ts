// Keyboard shortcuts and the command palette's matching: which key combination runs which action,
// how a shortcut is written for this OS, and which actions a typed query selects.

export type ActionId =
  | "palette" | "help" | "send" | "save" | "newTab" | "closeTab" | "searchLog" | "focusUrl" | "toggleConnection";

/** The shortcuts, in the order the help sheet lists them. `mod` is Ctrl (Cmd on macOS). */
export const SHORTCUTS: { id: ActionId; keys: string; label: string }[] = [
  { id: "palette", keys: "mod+k", label: "Command palette" },
  { id: "send", keys: "mod+enter", label: "Send the message" },
  { id: "save", keys: "mod+s", label: "Save the request" },
  { id: "newTab", keys: "mod+t", label: "New tab" },
  { id: "closeTab", keys: "mod+w", label: "Close tab" },
  { id: "searchLog", keys: "mod+f", label: "Search the log" },
  { id: "focusUrl", keys: "mod+l", label: "Focus the URL" },
  { id: "toggleConnection", keys: "mod+shift+enter", label: "Connect or disconnect" },
  { id: "help", keys: "?", label: "Keyboard shortcuts" },
];

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/** The combination as written in SHORTCUTS (`mod+shift+enter`), or null for plain typing. */
export function comboOf(e: KeyLike, mac: boolean): string {
  const mod = mac ? e.metaKey : e.ctrlKey;
  const key = e.key === "Enter" ? "enter" : e.key.length === 1 ? e.key.toLowerCase() : e.key.toLowerCase();
  return [mod ? "mod" : "", e.shiftKey && key.length > 1 ? "shift" : "", e.altKey ? "alt" : "", key].filter(Boolean).join("+");
}

/** The action a key event runs; `typing` (focus in a text field) leaves plain `?` to the field. */
export function actionFor(e: KeyLike, mac: boolean, typing: boolean): ActionId | null {
  const combo = comboOf(e, mac);
  const hit = SHORTCUTS.find((s) => s.keys === combo);
  if (!hit) return null;
  if (hit.id === "help" && typing) return null;
  return hit.id;
}

/** How a shortcut is shown: `Ctrl+Shift+Enter`, or `⌘⇧Enter` on macOS. */
export function displayKeys(keys: string, mac: boolean): string {
  const parts = keys.split("+").map((p) =>
    p === "mod" ? (mac ? "⌘" : "Ctrl") : p === "shift" ? (mac ? "⇧" : "Shift") : p === "enter" ? "Enter" : p.toUpperCase());
  return mac ? parts.join("") : parts.join("+");
}

/** The palette's filter: every word of the query appears in the title (any case), best first. */
export function matchCommands<T extends { title: string }>(items: T[], query: string): T[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return items;
  const scored: { item: T; score: number }[] = [];
  for (const item of items) {
    const t = item.title.toLowerCase();
    if (!words.every((w) => t.includes(w))) continue;
    const q = words.join(" ");
    scored.push({ item, score: t === q ? 0 : t.startsWith(q) ? 1 : t.includes(q) ? 2 : 3 });
  }
  return scored.sort((a, b) => a.score - b.score).map((s) => s.item);
}

// Window preferences kept across restarts (localStorage): the open request, theme, options.
import type { SavedMessageDto } from "../ipc";
import { readMessages } from "./savedMessages";

export interface Prefs {
  url: string;
  sseUrl: string;
  reconnect: boolean;
  theme: "light" | "dark";
  name: string;
  activeId: string | null;
  messages: SavedMessageDto[];
}

const KEY = "sockpit.prefs.v1";

export function defaultPrefs(): Prefs {
  const dark = typeof matchMedia === "function" && matchMedia("(prefers-color-scheme: dark)").matches;
  return { url: "", sseUrl: "", reconnect: false, theme: dark ? "dark" : "light", name: "", activeId: null, messages: [] };
}

export function loadPrefs(storage: Pick<Storage, "getItem"> | undefined = globalThis.localStorage): Prefs {
  const base = defaultPrefs();
  try {
    const raw = storage?.getItem(KEY);
    if (!raw) return base;
    const p = JSON.parse(raw) as Partial<Prefs>;
    return {
      url: typeof p.url === "string" ? p.url : base.url,
      sseUrl: typeof p.sseUrl === "string" ? p.sseUrl : base.sseUrl,
      reconnect: typeof p.reconnect === "boolean" ? p.reconnect : base.reconnect,
      theme: p.theme === "dark" || p.theme === "light" ? p.theme : base.theme,
      name: typeof p.name === "string" ? p.name : base.name,
      activeId: typeof p.activeId === "string" ? p.activeId : null,
      messages: readMessages(p.messages),
    };
  } catch {
    return base;
  }
}

export function savePrefs(p: Prefs, storage: Pick<Storage, "setItem"> | undefined = globalThis.localStorage): void {
  try {
    storage?.setItem(KEY, JSON.stringify(p));
  } catch {
    // Storage full or unavailable: preferences are a convenience.
  }
}

export function newId(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

// The window's keyboard shortcuts and the palette's commands: one list of actions, reached from the
// keyboard (lib/shortcuts.ts), the command palette and the help sheet.
import { useEffect, useMemo, useState } from "react";
import { backend, type CliFlavour, type TreeNodeDto } from "../../ipc";
import { COPY_AS, COPY_AS_TITLE, copyAsLabel } from "../../lib/copy";
import { actionFor, displayKeys, SHORTCUTS, type ActionId } from "../../lib/shortcuts";
import { PROTOCOLS, type ProtocolId } from "../../lib/protocolSettings";
import type { Command } from "./CommandPalette";

export interface Actions {
  send(): void;
  save(): void;
  newTab(): void;
  closeTab(): void;
  searchLog(): void;
  focusUrl(): void;
  toggleConnection(): void;
  openDemo(): void;
  toggleTheme(): void;
  toggleSse(): void;
  importCollection(): void;
  newRequest(protocol: ProtocolId): void;
  openRequest(id: number): void;
  /** "Copy as …": the active request as a command line for `flavour`. */
  copyAs(flavour: CliFlavour): void;
  /** The active request's protocol (names the "Copy as sockpit …" command). */
  protocol?: string;
}

export const isMac = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform);

/** Every stored request as `Collection / Folder / Name`. */
function requestsOf(nodes: TreeNodeDto[], path: string[] = []): { id: number; title: string }[] {
  return nodes.flatMap((n) =>
    n.kind === "request" ? [{ id: n.id, title: [...path, n.name].join(" / ") }] : requestsOf(n.children, [...path, n.name]));
}

const typing = (t: EventTarget | null) =>
  t instanceof HTMLElement && (t.isContentEditable || t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT");

export function usePalette(a: Actions) {
  const [palette, setPalette] = useState(false);
  const [help, setHelp] = useState(false);
  const [requests, setRequests] = useState<{ id: number; title: string }[]>([]);

  useEffect(() => {
    if (!palette) return;
    backend.storeTree().then((t) => setRequests(requestsOf(t))).catch(() => setRequests([]));
  }, [palette]);

  const byId: Record<ActionId, () => void> = {
    palette: () => setPalette((p) => !p),
    help: () => setHelp(true),
    send: a.send, save: a.save, newTab: a.newTab, closeTab: a.closeTab, searchLog: a.searchLog,
    focusUrl: a.focusUrl, toggleConnection: a.toggleConnection,
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // An editor that handled the key (CodeMirror's Ctrl+Enter sends already) wins.
      if (e.defaultPrevented) return;
      const id = actionFor(e, isMac, typing(e.target));
      if (!id) return;
      e.preventDefault();
      byId[id]();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  const keys = (id: ActionId) => {
    const s = SHORTCUTS.find((x) => x.id === id);
    return s ? displayKeys(s.keys, isMac) : undefined;
  };
  const commands: Command[] = useMemo(() => [
    { id: "demo", title: "Open demo", run: a.openDemo },
    { id: "send", title: "Send the message", hint: keys("send"), run: a.send },
    { id: "conn", title: "Connect or disconnect", hint: keys("toggleConnection"), run: a.toggleConnection },
    { id: "save", title: "Save the request", hint: keys("save"), run: a.save },
    { id: "newTab", title: "New tab", hint: keys("newTab"), run: a.newTab },
    { id: "closeTab", title: "Close tab", hint: keys("closeTab"), run: a.closeTab },
    { id: "search", title: "Search the log", hint: keys("searchLog"), run: a.searchLog },
    { id: "url", title: "Focus the URL", hint: keys("focusUrl"), run: a.focusUrl },
    ...PROTOCOLS.map(([id, label]) => ({ id: `new-${id}`, title: `New ${label} request`, run: () => a.newRequest(id) })),
    { id: "import", title: "Import collection…", run: a.importCollection },
    ...COPY_AS.map((c) => ({ id: `copy-${c.flavour}`, title: copyAsLabel(c, a.protocol ?? "websocket"), tooltip: COPY_AS_TITLE, run: () => a.copyAs(c.flavour) })),
    { id: "sse", title: "Show or hide the SSE pane", run: a.toggleSse },
    { id: "theme", title: "Toggle theme", run: a.toggleTheme },
    { id: "help", title: "Keyboard shortcuts", hint: "?", run: () => setHelp(true) },
    ...requests.map((r) => ({ id: `req-${r.id}`, title: `Open request: ${r.title}`, run: () => a.openRequest(r.id) })),
  ], [a, requests]); // eslint-disable-line react-hooks/exhaustive-deps

  return { palette, closePalette: () => setPalette(false), help, closeHelp: () => setHelp(false), commands };
}

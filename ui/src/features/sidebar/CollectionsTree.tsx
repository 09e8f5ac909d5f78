// The collections tree (role=tree): collections, folders and requests from the store, keyboard
// navigable (arrows, Home/End, Enter opens, F2 renames, Delete deletes), with an icon toolbar and a
// context menu (right click, Shift+F10 or the Menu key) acting on the selected node: new
// collection/folder/request, rename, duplicate, delete, move up/down/to folder.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { ArrowDown, ArrowUp, Copy, FilePlus, FolderPlus, Library, Pencil, Trash } from "lucide-react";
import { ContextMenu, type MenuItem } from "./ContextMenu";
import { backend, type TreeNodeDto } from "../../ipc";
import { ancestors, findRow, keyOf, moveTargets, step, visibleRows, type Row } from "../../lib/treeModel";
import { PROTOCOLS, protocolLabel, type ProtocolId } from "../../lib/protocolSettings";

/** The badge before a request's name in the tree. */
const PROTOCOL_BADGE: Record<string, string> = { websocket: "WS", sse: "SSE", socketio: "SIO", graphql: "GQL" };

interface Props {
  tree: TreeNodeDto[];
  /** The request open in the active tab. */
  activeRequest: number | null;
  onOpen(id: number): void;
  /** Reloads the tree; `select` is the key to select after it. */
  onChanged(select?: string): Promise<void>;
  onError(message: string): void;
  /** A request was deleted (its tabs close). */
  onDeleted(kind: string, id: number): void;
  /** A node was renamed (open tabs follow). */
  onRenamed(kind: string, id: number, name: string): void;
}

type Editing = { mode: "rename"; key: string; value: string } | { mode: "new"; kind: "collection" | "folder"; value: string };

export function CollectionsTree(p: Props) {
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [selected, setSelected] = useState<string | null>(null);
  const [newProtocol, setNewProtocol] = useState<ProtocolId>("websocket");
  const [editing, setEditingState] = useState<Editing | null>(null);
  // The edit being committed is taken from a ref, so Enter and the blur that follows commit once.
  const editRef = useRef<Editing | null>(null);
  const setEditing = (v: Editing | null) => { editRef.current = v; setEditingState(v); };
  const treeRef = useRef<HTMLUListElement>(null);
  const rows = useMemo(() => visibleRows(p.tree, expanded), [p.tree, expanded]);
  const sel = findRow(p.tree, selected);

  const act = async (f: () => Promise<unknown>, select?: string) => {
    try {
      await f();
      await p.onChanged(select);
    } catch (e) {
      p.onError((e as { message: string }).message);
    }
  };

  // A node to show once the reloaded tree has it (a new folder or copy): its ancestors expand.
  const [pending, setPending] = useState<string | null>(null);
  const reveal = (key: string) => {
    setSelected(key);
    setPending(key);
  };
  useEffect(() => {
    if (!pending || !findRow(p.tree, pending)) return;
    const up = ancestors(p.tree, pending);
    setExpanded((s) => (up.every((k) => s.has(k)) ? s : new Set([...s, ...up])));
    setPending(null);
  }, [pending, p.tree]);

  // The request open in the active tab shows in the tree (its collection and folders expanded).
  useEffect(() => {
    if (p.activeRequest === null) return;
    const key = `request:${p.activeRequest}`;
    const up = ancestors(p.tree, key);
    if (!up.length) return;
    setExpanded((s) => (up.every((k) => s.has(k)) ? s : new Set([...s, ...up])));
  }, [p.activeRequest, p.tree]);

  const focusTree = () => requestAnimationFrame(() => treeRef.current?.querySelector<HTMLElement>('[tabindex="0"]')?.focus());

  const toggle = (key: string, open?: boolean) =>
    setExpanded((s) => {
      const n = new Set(s);
      if (open ?? !n.has(key)) n.add(key); else n.delete(key);
      return n;
    });

  const activate = (r: Row) => {
    setSelected(keyOf(r.node));
    if (r.node.kind === "request") p.onOpen(r.node.id);
    else toggle(keyOf(r.node));
  };

  const onKey = (e: KeyboardEvent) => {
    if (editing) return;
    const cur = findRow(p.tree, selected);
    switch (e.key) {
      case "ArrowDown": case "ArrowUp": case "Home": case "End": {
        const next = step(rows, selected, e.key);
        if (next) setSelected(next);
        break;
      }
      case "ArrowRight":
        if (cur && cur.node.children.length) {
          if (!expanded.has(keyOf(cur.node))) toggle(keyOf(cur.node), true);
          else setSelected(keyOf(cur.node.children[0]));
        }
        break;
      case "ArrowLeft":
        if (cur && expanded.has(keyOf(cur.node))) toggle(keyOf(cur.node), false);
        else if (cur?.parent) setSelected(keyOf(cur.parent));
        else if (cur && cur.node.kind !== "collection") setSelected(keyOf(cur.collection));
        break;
      case "Enter": case " ":
        if (cur) activate(cur);
        break;
      case "F2":
        if (cur) setEditing({ mode: "rename", key: keyOf(cur.node), value: cur.node.name });
        break;
      case "Delete":
        if (cur) void remove(cur);
        break;
      case "ContextMenu": case "F10": {
        if (e.key === "F10" && !e.shiftKey) return;
        const item = treeRef.current?.querySelector<HTMLElement>('[role="treeitem"][tabindex="0"]')?.getBoundingClientRect();
        if (cur && item) openMenu(keyOf(cur.node), item.left + 24, item.bottom);
        e.preventDefault();
        return;
      }
      default:
        return;
    }
    e.preventDefault();
    focusTree();
  };

  const remove = async (r: Row) => {
    await act(async () => {
      await backend.storeDelete(r.node.kind, r.node.id);
      p.onDeleted(r.node.kind, r.node.id);
    });
    setSelected(r.parent ? keyOf(r.parent) : null);
  };

  const commitEdit = async () => {
    const e = editRef.current;
    if (!e) return;
    const name = e.value.trim();
    setEditing(null);
    if (!name) return;
    if (e.mode === "rename") {
      const r = findRow(p.tree, e.key);
      if (r) {
        await act(async () => {
          await backend.storeRename(r.node.kind, r.node.id, name);
          p.onRenamed(r.node.kind, r.node.id, name);
        }, e.key);
      }
    } else if (e.kind === "collection") {
      await act(async () => {
        const id = await backend.storeCreate("collection", name, null, null);
        setSelected(`collection:${id}`);
      });
    } else if (sel) {
      const folder = sel.node.kind === "folder" ? sel.node.id : sel.node.kind === "request" && sel.parent?.kind === "folder" ? sel.parent.id : null;
      await act(async () => {
        const id = await backend.storeCreate("folder", name, sel.collection.id, folder);
        reveal(`folder:${id}`);
      });
    }
    focusTree();
  };

  const newRequest = async () => {
    if (!sel) return;
    const folder = sel.node.kind === "folder" ? sel.node.id : sel.node.kind === "request" && sel.parent?.kind === "folder" ? sel.parent.id : null;
    await act(async () => {
      const id = await backend.storeCreate("request", newProtocol === "websocket" ? "New request" : `New ${protocolLabel(newProtocol)} request`, sel.collection.id, folder, newProtocol);
      reveal(`request:${id}`);
      p.onOpen(id);
    });
  };

  const duplicate = async () => {
    if (!sel) return;
    await act(async () => {
      const id = await backend.storeDuplicate(sel.node.kind, sel.node.id);
      reveal(`${sel.node.kind}:${id}`);
    });
  };

  const targets = sel && sel.node.kind !== "collection" ? moveTargets(p.tree, sel) : [];
  const move = (delta: number) => sel && void act(() => backend.storeMove(sel.node.kind, sel.node.id, delta), keyOf(sel.node));
  const moveTo = (i: number) => {
    const t = targets[i];
    if (sel && t) void act(() => backend.storeReparent(sel.node.kind, sel.node.id, t.collection, t.folder), keyOf(sel.node)).then(() => reveal(keyOf(sel.node)));
  };
  const startRename = () => sel && setEditing({ mode: "rename", key: keyOf(sel.node), value: sel.node.name });

  // The context menu acts on the selected node, like the toolbar.
  const [menu, setMenu] = useState<{ x: number; y: number } | null>(null);
  const openMenu = (key: string, x: number, y: number) => { setSelected(key); setMenu({ x, y }); };
  const closeMenu = (refocus: boolean) => { setMenu(null); if (refocus) focusTree(); };
  const menuItems: MenuItem[] = sel ? [
    { label: `New ${protocolLabel(newProtocol)} request`, run: () => void newRequest() },
    { label: "New folder", run: () => setEditing({ mode: "new", kind: "folder", value: "" }) },
    { label: "Rename", run: startRename },
    { label: "Duplicate", disabled: sel.node.kind === "folder", run: () => void duplicate() },
    { label: "Delete", run: () => void remove(sel) },
    { label: "Move up", disabled: sel.node.kind === "collection" || sel.index === 0, run: () => move(-1) },
    { label: "Move down", disabled: sel.node.kind === "collection" || sel.index === sel.siblings - 1, run: () => move(1) },
    ...targets.map((t, i) => ({ label: `Move to ${t.label}`, run: () => moveTo(i) })),
  ] : [];
  const nameInput = (label: string) =>
    editing && (
      <input
        aria-label={label}
        autoFocus
        value={editing.value}
        onChange={(e) => setEditing({ ...editing, value: e.target.value })}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === "Enter") void commitEdit();
          if (e.key === "Escape") { setEditing(null); focusTree(); }
        }}
        onBlur={() => void commitEdit()}
      />
    );

  return (
    <section className="collections" aria-label="Collections section">
      <div className="tree-toolbar" role="toolbar" aria-label="Collection actions">
        <button type="button" aria-label="New collection" title="New collection" onClick={() => setEditing({ mode: "new", kind: "collection", value: "" })}><Library size={15} aria-hidden="true" /></button>
        <button type="button" aria-label="New folder" title="New folder" disabled={!sel} onClick={() => setEditing({ mode: "new", kind: "folder", value: "" })}><FolderPlus size={15} aria-hidden="true" /></button>
        <select aria-label="New request protocol" title="The protocol of the next new request" value={newProtocol}
          onChange={(e) => setNewProtocol(e.target.value as ProtocolId)}>
          {PROTOCOLS.map(([id, label]) => <option key={id} value={id}>{label}</option>)}
        </select>
        <button type="button" aria-label="New request" title={`New ${protocolLabel(newProtocol)} request`} disabled={!sel} onClick={() => void newRequest()}><FilePlus size={15} aria-hidden="true" /></button>
        <button type="button" aria-label="Rename" title="Rename (F2)" disabled={!sel} onClick={startRename}><Pencil size={15} aria-hidden="true" /></button>
        <button type="button" aria-label="Duplicate" title="Duplicate" disabled={!sel || sel.node.kind === "folder"} onClick={() => void duplicate()}><Copy size={15} aria-hidden="true" /></button>
        <button type="button" aria-label="Delete" title="Delete (Del)" disabled={!sel} onClick={() => sel && void remove(sel)}><Trash size={15} aria-hidden="true" /></button>
        <button type="button" aria-label="Move up" title="Move up" disabled={!sel || sel.node.kind === "collection" || sel.index === 0} onClick={() => move(-1)}><ArrowUp size={15} aria-hidden="true" /></button>
        <button type="button" aria-label="Move down" title="Move down" disabled={!sel || sel.node.kind === "collection" || sel.index === sel.siblings - 1} onClick={() => move(1)}><ArrowDown size={15} aria-hidden="true" /></button>
        <select
          aria-label="Move to folder"
          disabled={!targets.length}
          value=""
          onChange={(e) => moveTo(Number(e.target.value))}
        >
          <option value="">Move to…</option>
          {targets.map((t, i) => <option key={t.label} value={i}>{t.label}</option>)}
        </select>
      </div>
      {editing?.mode === "new" && nameInput(editing.kind === "collection" ? "Collection name" : "Folder name")}
      <ul className="tree" role="tree" aria-label="Collections" ref={treeRef} onKeyDown={onKey}>
        {rows.length === 0 && <li className="empty" role="none">No collections yet</li>}
        {rows.map((r) => {
          const key = keyOf(r.node);
          const isSel = key === selected || (!selected && r === rows[0]);
          const open = expanded.has(key);
          return (
            <li
              key={key}
              role="treeitem"
              aria-label={r.node.name}
              aria-level={r.level}
              aria-selected={key === selected}
              aria-expanded={r.node.kind === "request" ? undefined : open}
              aria-setsize={r.siblings}
              aria-posinset={r.index + 1}
              data-kind={r.node.kind}
              tabIndex={isSel ? 0 : -1}
              className={`tree-row${key === selected ? " selected" : ""}${r.node.kind === "request" && r.node.id === p.activeRequest ? " active" : ""}`}
              style={{ paddingLeft: 4 + (r.level - 1) * 14 }}
              onClick={() => activate(r)}
              onContextMenu={(e) => { e.preventDefault(); openMenu(key, e.clientX, e.clientY); }}
              onFocus={() => !selected && setSelected(key)}
            >
              {editing?.mode === "rename" && editing.key === key ? (
                nameInput(`Rename ${r.node.name}`)
              ) : (
                <>
                  <span className="tree-icon" aria-hidden="true">
                    {r.node.kind === "request" ? PROTOCOL_BADGE[r.node.protocol] ?? "WS" : open ? "▾" : "▸"}
                  </span>
                  <span className="tree-name">{r.node.name}</span>
                </>
              )}
            </li>
          );
        })}
      </ul>
      {menu && sel && <ContextMenu label={`Actions for ${sel.node.name}`} x={menu.x} y={menu.y} items={menuItems} onClose={closeMenu} />}
    </section>
  );
}

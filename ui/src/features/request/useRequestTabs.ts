// Hook owning the open request tabs: each holds an editable RequestSpec and, once saved, the
// stored request's id and collection. Tabs and the active one survive a restart (localStorage).
import { useCallback, useEffect, useState } from "react";
import { backend, type RequestSpec, type SavedMessageDto } from "../../ipc";
import { blankSpec } from "../../lib/requestModel";
import { newId } from "../../lib/prefs";
import { readMessages } from "../../lib/savedMessages";

export interface RequestTab {
  key: string;
  spec: RequestSpec;
  /** The stored request, once saved or opened from the tree. */
  storedId: number | null;
  collection: number | null;
}

const KEY = "sockpit.tabs.v1";

interface Saved { tabs: RequestTab[]; active: string }

export function loadTabs(storage: Pick<Storage, "getItem"> | undefined = globalThis.localStorage): Saved | null {
  try {
    const raw = storage?.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Saved;
    if (!Array.isArray(s.tabs) || !s.tabs.length) return null;
    const tabs = s.tabs.filter((t) => t && typeof t.key === "string" && t.spec && typeof t.spec.url === "string")
      .map((t) => ({
        ...t,
        spec: { ...blankSpec(), ...t.spec, messages: readMessages(t.spec.messages), extras: { ...blankSpec().extras, ...t.spec.extras } },
      }));
    if (!tabs.length) return null;
    return { tabs, active: tabs.some((t) => t.key === s.active) ? s.active : tabs[0].key };
  } catch {
    return null;
  }
}

function saveTabs(s: Saved) {
  try {
    globalThis.localStorage?.setItem(KEY, JSON.stringify(s));
  } catch {
    // Storage full or unavailable: tabs are a convenience.
  }
}

export function newTab(spec: RequestSpec = blankSpec(), storedId: number | null = null, collection: number | null = null): RequestTab {
  return { key: newId(), spec, storedId, collection };
}

export function useRequestTabs(initial: { url: string; name: string; messages: SavedMessageDto[] }) {
  const [state, setState] = useState<Saved>(() => {
    const restored = loadTabs();
    if (restored) return restored;
    const t = newTab({ ...blankSpec(initial.url), name: initial.name, messages: initial.messages });
    return { tabs: [t], active: t.key };
  });
  useEffect(() => saveTabs(state), [state]);

  const active = state.tabs.find((t) => t.key === state.active) ?? state.tabs[0];

  const update = useCallback((patch: Partial<RequestSpec> | ((s: RequestSpec) => Partial<RequestSpec>)) => {
    setState((st) => ({
      ...st,
      tabs: st.tabs.map((t) => (t.key === st.active ? { ...t, spec: { ...t.spec, ...(typeof patch === "function" ? patch(t.spec) : patch) } } : t)),
    }));
  }, []);

  const setStored = useCallback((key: string, storedId: number | null, collection: number | null, spec?: RequestSpec) => {
    setState((st) => ({ ...st, tabs: st.tabs.map((t) => (t.key === key ? { ...t, storedId, collection, spec: spec ?? t.spec } : t)) }));
  }, []);

  const add = useCallback((t: RequestTab) => setState((st) => ({ tabs: [...st.tabs, t], active: t.key })), []);

  /** Opens a stored request: focuses its tab if open, else loads it into a new tab. */
  const openStored = useCallback(async (id: number) => {
    const open = state.tabs.find((t) => t.storedId === id);
    if (open) {
      setState((st) => ({ ...st, active: open.key }));
      return;
    }
    const r = await backend.requestGet(id);
    add(newTab(r.spec, r.id, r.collection_id));
  }, [state.tabs, add]);

  const select = useCallback((key: string) => setState((st) => ({ ...st, active: key })), []);

  const close = useCallback((key: string) => {
    setState((st) => {
      const i = st.tabs.findIndex((t) => t.key === key);
      const tabs = st.tabs.filter((t) => t.key !== key);
      if (!tabs.length) {
        const t = newTab();
        return { tabs: [t], active: t.key };
      }
      const active = st.active === key ? tabs[Math.max(0, i - 1)].key : st.active;
      return { tabs, active };
    });
  }, []);

  /** A stored request went away: its tabs close. */
  const forget = useCallback((kind: string, id: number) => {
    if (kind !== "request") return;
    setState((st) => {
      const i = st.tabs.findIndex((t) => t.key === st.active);
      const tabs = st.tabs.filter((t) => t.storedId !== id);
      if (tabs.length === st.tabs.length) return st;
      if (!tabs.length) {
        const t = newTab();
        return { tabs: [t], active: t.key };
      }
      const active = tabs.some((t) => t.key === st.active) ? st.active : tabs[Math.max(0, Math.min(i, tabs.length) - 1)].key;
      return { tabs, active };
    });
  }, []);

  /** A stored request was renamed in the tree: its tabs follow. */
  const renamed = useCallback((kind: string, id: number, name: string) => {
    if (kind !== "request") return;
    setState((st) => ({ ...st, tabs: st.tabs.map((t) => (t.storedId === id ? { ...t, spec: { ...t.spec, name } } : t)) }));
  }, []);

  return { tabs: state.tabs, active, update, setStored, add, openStored, select, close, forget, renamed };
}

// The sidebar: collections tree, environments and history (all from the store), the demo server
// starter and the theme switch. Loads and refreshes what it shows; opening goes through props.
import { useCallback, useEffect, useState } from "react";
import { backend, type EnvironmentDto, type HistoryDto, type TreeNodeDto } from "../../ipc";
import { CollectionsTree } from "./CollectionsTree";
import { Environments } from "./Environments";
import { History } from "./History";
import { ShareDialogs } from "../share/ShareDialogs";

interface Props {
  activeRequest: number | null;
  onOpenRequest(id: number): void;
  onOpenHistory(h: HistoryDto): void;
  onDeleted(kind: string, id: number): void;
  onRenamed(kind: string, id: number, name: string): void;
  /** Bumped by the app when the store changed elsewhere (a save, a connection). */
  refresh: number;
  /** Environments changed (the URL's known variables follow them). */
  onEnvChanged(): void;
  onDemo(): void;
  demoUrl: string | null;
  theme: "light" | "dark";
  onTheme(): void;
}

export function Sidebar(p: Props) {
  const [tree, setTree] = useState<TreeNodeDto[]>([]);
  const [envs, setEnvs] = useState<EnvironmentDto[]>([]);
  const [history, setHistory] = useState<HistoryDto[]>([]);
  const [error, setError] = useState<string | null>(null);

  const loadTree = useCallback(async () => {
    try {
      setTree(await backend.storeTree());
    } catch (e) {
      setError((e as { message: string }).message);
    }
  }, []);
  const loadEnvs = useCallback(async () => {
    try {
      setEnvs(await backend.envList());
    } catch (e) {
      setError((e as { message: string }).message);
    }
  }, []);
  const loadHistory = useCallback(async () => {
    try {
      setHistory(await backend.historyList(50));
    } catch (e) {
      setError((e as { message: string }).message);
    }
  }, []);

  useEffect(() => {
    void loadTree().then(loadEnvs);
    void loadHistory();
  }, [p.refresh, loadTree, loadEnvs, loadHistory]);

  return (
    <nav className="sidebar" aria-label="Sidebar">
      <h2>Collections</h2>
      {error && (
        <div role="alert" className="error">
          {error} <button type="button" className="link" aria-label="Dismiss sidebar error" onClick={() => setError(null)}>×</button>
        </div>
      )}
      <CollectionsTree
        tree={tree}
        activeRequest={p.activeRequest}
        onOpen={p.onOpenRequest}
        onChanged={async () => { await loadTree(); await loadEnvs(); }}
        onError={setError}
        onDeleted={p.onDeleted}
        onRenamed={p.onRenamed}
      />
      <Environments
        envs={envs}
        collections={tree}
        onChanged={async () => { await loadEnvs(); p.onEnvChanged(); }}
        onError={setError}
      />
      <History items={history} onOpen={p.onOpenHistory} />
      <div className="sidebar-foot">
        <button type="button" onClick={() => void loadHistory()}>Refresh history</button>
        <ShareDialogs collections={tree} onImported={() => void loadTree().then(loadEnvs)} />
        <button type="button" onClick={p.onDemo}>Open demo</button>
        {p.demoUrl && <div className="demo-url">{p.demoUrl}</div>}
        <button type="button" onClick={p.onTheme} aria-label="Toggle theme">
          {p.theme === "dark" ? "Light theme" : "Dark theme"}
        </button>
      </div>
    </nav>
  );
}

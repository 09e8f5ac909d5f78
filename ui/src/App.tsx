// The window: sidebar, connection bar, composer, message log and the SSE pane beside it.
import { useCallback, useEffect, useState } from "react";
import { backend, type SavedRequest, type SendMode } from "./ipc";
import { ConnectionBar } from "./features/ws/ConnectionBar";
import { Workbench } from "./features/ws/Workbench";
import { useWsSession } from "./features/ws/useWsSession";
import { SsePane } from "./features/sse/SsePane";
import { Sidebar } from "./features/requests/Sidebar";
import { loadPrefs, newId, savePrefs } from "./lib/prefs";

export function App() {
  const prefs = loadPrefs();
  const [url, setUrl] = useState(prefs.url);
  const [sseUrl, setSseUrl] = useState(prefs.sseUrl);
  const [reconnect, setReconnect] = useState(prefs.reconnect);
  const [recordFrames, setRecordFrames] = useState(false);
  const [theme, setTheme] = useState<"light" | "dark">(prefs.theme);
  const [name, setName] = useState(prefs.name);
  const [activeId, setActiveId] = useState<string | null>(prefs.activeId);
  const [saved, setSaved] = useState<string[]>(prefs.messages);
  const [requests, setRequests] = useState<SavedRequest[]>([]);
  const [demoUrl, setDemoUrl] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const ws = useWsSession();

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  useEffect(() => {
    savePrefs({ url, sseUrl, reconnect, theme, name, activeId, messages: saved });
  }, [url, sseUrl, reconnect, theme, name, activeId, saved]);
  useEffect(() => {
    backend.requestsList().then(setRequests).catch((e) => setNotice(e.message));
  }, []);

  const save = useCallback(async () => {
    const id = activeId ?? newId();
    const request: SavedRequest = { id, name: name.trim() || url || "Untitled", url, messages: saved, sse_url: sseUrl };
    try {
      setRequests(await backend.requestsSave(request));
      setActiveId(id);
      setNotice(`Saved “${request.name}”`);
    } catch (e) {
      setNotice((e as { message: string }).message);
    }
  }, [activeId, name, url, saved, sseUrl]);

  const open = (r: SavedRequest) => {
    setActiveId(r.id);
    setName(r.name);
    setUrl(r.url);
    setSseUrl(r.sse_url);
    setSaved(r.messages);
  };

  const remove = async (id: string) => {
    try {
      setRequests(await backend.requestsDelete(id));
      if (id === activeId) setActiveId(null);
    } catch (e) {
      setNotice((e as { message: string }).message);
    }
  };

  const demo = async () => {
    try {
      const info = await backend.demoStart();
      setDemoUrl(info.http_url);
      setUrl(`${info.ws_url}/echo`);
      setSseUrl(`${info.http_url}/sse`);
    } catch (e) {
      setNotice((e as { message: string }).message);
    }
  };

  const send = async (mode: SendMode, body: string) => {
    const err = await ws.send(mode, body);
    return err ? err.message : null;
  };

  return (
    <div className="app">
      <Sidebar
        requests={requests}
        activeId={activeId}
        onOpen={open}
        onDelete={(id) => void remove(id)}
        onDemo={() => void demo()}
        demoUrl={demoUrl}
        theme={theme}
        onTheme={() => setTheme(theme === "dark" ? "light" : "dark")}
      />
      <main className="main">
        <div className="request-head">
          <input aria-label="Request name" placeholder="Untitled request" value={name} onChange={(e) => setName(e.target.value)} />
          <button type="button" onClick={() => void save()}>Save</button>
          {notice && <span className="notice" role="note">{notice}</span>}
        </div>
        <ConnectionBar
          url={url}
          onUrl={setUrl}
          reconnect={reconnect}
          onReconnect={setReconnect}
          state={ws.state}
          close={ws.close}
          queued={ws.queued}
          recordFrames={recordFrames}
          onRecordFrames={setRecordFrames}
          onConnect={() => void ws.connect(url, reconnect, { recordFrames })}
          onDisconnect={() => void ws.disconnect()}
        />
        {ws.error && (
          <div role="alert" className="error conn-error">
            <strong>{ws.error.code}</strong> {ws.error.message}
            <button type="button" className="link" onClick={ws.clearError} aria-label="Dismiss error">×</button>
          </div>
        )}
        <div className="panes">
          <div className="ws-column">
            <Workbench
              ws={ws}
              url={url}
              sseUrl={sseUrl}
              onSend={send}
              saved={saved}
              onKeep={(m) => setSaved((s) => [...s, m])}
              onForget={(i) => setSaved((s) => s.filter((_, j) => j !== i))}
            />
          </div>
          <SsePane url={sseUrl} onUrl={setSseUrl} />
        </div>
      </main>
    </div>
  );
}

// The window: sidebar | request (connection bar, settings, work area or the welcome view) | SSE
// pane, in resizable panes; the command palette and the shortcuts over it all; "Copy as …" for a
// request tab (palette and the tab's context menu).
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { backend, onFileDrop, pickFile, type CliFlavour, type HistoryDto, type RequestSpec, type SavedMessageDto, type SendMode } from "./ipc";
import { ConnectionBar } from "./features/ws/ConnectionBar";
import { Workbench } from "./features/ws/Workbench";
import { useWsSessions } from "./features/ws/useWsSession";
import { SsePane } from "./features/sse/SsePane";
import { Sidebar } from "./features/sidebar/Sidebar";
import { RequestTabs } from "./features/request/RequestTabs";
import { RequestEditor } from "./features/request/RequestEditor";
import { UpgradeReport } from "./features/request/UpgradeReport";
import { newTab, useRequestTabs } from "./features/request/useRequestTabs";
import { blankSpec } from "./lib/requestModel";
import { Drafts } from "./lib/drafts";
import { writtenHooks } from "./lib/scripts";
import { unknownMessage, unknownVariables } from "./lib/variables";
import { loadPrefs, savePrefs } from "./lib/prefs";
import { NoticeBar } from "./features/notices/NoticeBar";
import { PROTOCOLS, namespacesOf, type ProtocolId } from "./lib/protocolSettings";
import { dropAction, FILTERS } from "./lib/fileKinds";
import { importCollection } from "./features/share/ShareDialogs";
import { Welcome } from "./features/welcome/Welcome";
import { CommandPalette } from "./features/palette/CommandPalette";
import { ShortcutsHelp } from "./features/palette/ShortcutsHelp";
import { isMac, usePalette } from "./features/palette/usePalette";
import { Panel, SplitGroup, SplitHandle, type ImperativePanelHandle } from "./features/layout/Split";
import { useToast } from "./features/toasts/Toasts";
import { attachmentOf, loadAttachments, saveAttachments, withAttachment, type ScriptAttachment } from "./lib/scriptAttachments";
import { useCopy } from "./features/toasts/useCopy";
import { COPY_AS, COPY_AS_TITLE, copyAsLabel } from "./lib/copy";
import type { RequestTab } from "./features/request/useRequestTabs";

export function App() {
  const prefs = loadPrefs();
  const tabs = useRequestTabs(prefs);
  const spec = tabs.active.spec;
  const url = spec.url;
  const setUrl = (u: string) => tabs.update({ url: u });
  const [sseUrl, setSseUrl] = useState(prefs.sseUrl);
  const [reconnect, setReconnect] = useState(prefs.reconnect);
  const [recordFrames, setRecordFrames] = useState(false);
  const [theme, setTheme] = useState<"light" | "dark">(prefs.theme);
  const name = spec.name;
  const setName = (n: string) => tabs.update({ name: n });
  const saved = spec.messages;
  const setSaved = (f: (m: SavedMessageDto[]) => SavedMessageDto[]) => tabs.update((s) => ({ messages: f(s.messages) }));
  // Bumped after saves and connections so the sidebar reloads tree and history.
  const [storeVersion, setStoreVersion] = useState(0);
  const [known, setKnown] = useState<string[]>([]);
  const [envVersion, setEnvVersion] = useState(0);
  const [varError, setVarError] = useState<string | null>(null);
  const [demoUrl, setDemoUrl] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const toast = useToast();
  // The Scripts tab's hook file and stop-on-error: window state per request, never shared.
  const [attachments, setAttachments] = useState(() => loadAttachments());
  useEffect(() => saveAttachments(attachments), [attachments]);
  const setAttachment = (a: ScriptAttachment) => setAttachments((all) => withAttachment(all, tabs.active, a));
  const copy = useCopy();
  // One WebSocket session per request tab; `ws` is the active tab's.
  const { ws, states } = useWsSessions(tabs.active.key, tabs.tabs.map((t) => t.key));
  // The composer's draft per tab; a closed tab's goes with it.
  const [drafts] = useState(() => new Drafts());
  const tabKeys = tabs.tabs.map((t) => t.key).join(" ");
  useEffect(() => drafts.retain(tabKeys.split(" ")), [drafts, tabKeys]);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  // Files dropped onto the window: a schema loads into the protobuf settings, anything else imports.
  const [droppedSchema, setDroppedSchema] = useState<{ path: string; seq: number } | null>(null);
  const [dragOver, setDragOver] = useState(false);
  // The SSE pane: resizable, and collapsible to nothing when it is not in use.
  const ssePanel = useRef<ImperativePanelHandle>(null);
  const [sseOpen, setSseOpen] = useState(true);
  const toggleSse = () => {
    const p = ssePanel.current;
    if (!p) return;
    if (p.isCollapsed()) p.expand();
    else p.collapse();
  };
  useEffect(() => onFileDrop((paths) => {
    for (const path of paths) {
      if (dropAction(path) === "schema") {
        setDroppedSchema((d) => ({ path, seq: (d?.seq ?? 0) + 1 }));
        continue;
      }
      void importCollection(path, "auto").then((r) => {
        setNotice(r.text);
        if (r.ok) setStoreVersion((v) => v + 1);
      });
    }
  }, setDragOver), []);
  useEffect(() => {
    savePrefs({ url, sseUrl, reconnect, theme, name, activeId: null, messages: saved });
  }, [url, sseUrl, reconnect, theme, name, saved]);
  const collection = tabs.active.collection;
  useEffect(() => {
    backend.envKnown(collection).then(setKnown).catch(() => setKnown([]));
  }, [collection, envVersion, storeVersion]);
  const knownSet = useMemo(() => new Set(known), [known]);
  useEffect(() => setVarError(null), [tabs.active.key]);
  // A finished connection is in history now.
  useEffect(() => {
    if (ws.state === "Connected" || ws.state === "Disconnected") setStoreVersion((v) => v + 1);
  }, [ws.state]);

  const save = useCallback(async () => {
    const t = tabs.active;
    try {
      const r = await backend.requestSave(t.storedId, t.collection, t.spec);
      tabs.setStored(t.key, r.id, r.collection_id, r.spec);
      setStoreVersion((v) => v + 1);
      toast(`Saved “${r.spec.name}”`);
    } catch (e) {
      setNotice((e as { message: string }).message);
    }
  }, [tabs, toast]);

  // "Copy as …": the engine renders the line (secrets redacted, variables left as references).
  const copyAs = async (flavour: CliFlavour, s: RequestSpec = tabs.active.spec) => {
    const c = COPY_AS.find((x) => x.flavour === flavour);
    const label = c ? copyAsLabel(c, s.protocol) : flavour;
    try {
      await copy(await backend.commandLine(s, flavour), `${label.replace(/^Copy as /, "")} command`);
    } catch (e) {
      setNotice((e as { message: string }).message);
    }
  };
  const tabMenu = (t: RequestTab) => [
    ...COPY_AS.map((c) => ({ label: copyAsLabel(c, t.spec.protocol), title: COPY_AS_TITLE, run: () => void copyAs(c.flavour, t.spec) })),
    { label: "Close tab", run: () => tabs.close(t.key) },
  ];

  const openStored = (id: number) => {
    tabs.openStored(id).catch((e) => setNotice((e as { message: string }).message));
  };

  const openHistory = (h: HistoryDto) => tabs.add(newTab(blankSpec(h.url)));

  // The welcome view stands in for the work area while the active tab is an untouched blank one
  // (first run, or every tab closed); a request started from it is no longer untouched.
  const [begun, setBegun] = useState<ReadonlySet<string>>(new Set());
  const welcome = !spec.url && spec.protocol === "websocket" && tabs.active.storedId === null && ws.session === null && !begun.has(tabs.active.key);
  const newRequest = (protocol: ProtocolId) => {
    const t = newTab({ ...blankSpec(), protocol });
    setBegun((b) => new Set(b).add(t.key));
    tabs.add(t);
    requestAnimationFrame(() => document.querySelector<HTMLInputElement>('input[aria-label="URL"]')?.focus());
  };

  // The active request's scripts: the Workbench's Tests panel shows for a socket request, the SSE
  // pane's for an SSE request (its scripts and hook file run beside the subscription).
  const activeAttachment = attachmentOf(attachments, tabs.active);
  const scripted = writtenHooks(spec.scripts).length > 0 || activeAttachment.hookFile !== null;
  const sseRequest = {
    spec: tabs.active.spec,
    collection: tabs.active.collection,
    hookFile: activeAttachment.hookFile,
    stopOnScriptError: activeAttachment.stopOnError,
  };
  const sseScripted = scripted && tabs.active.spec.protocol === "sse";

  const connect = () => {
    const unknown = unknownVariables(spec, knownSet);
    if (unknown.length) {
      setVarError(unknownMessage(unknown));
      return;
    }
    setVarError(null);
    const t = tabs.active;
    if (t.spec.protocol === "sse") {
      // An SSE request subscribes in the SSE pane, with this request's headers and auth.
      setSseUrl(url);
      ssePanel.current?.expand();
      setNotice("An SSE request subscribes in the SSE pane: press Subscribe there");
      return;
    }
    const request = { spec: t.spec, collection: t.collection, requestId: t.storedId, attachment: attachmentOf(attachments, t) };
    void ws.connect(url, reconnect, { recordFrames, request, onVarsSaved: (text) => toast(text) });
  };

  const demo = async () => {
    try {
      // The built-in mock server in the app, and the shipped demo collection pointed at it.
      const info = await backend.demoOpen();
      setDemoUrl(info.http_url);
      const env = (await backend.envList()).find((e) => e.collection_id === info.collection && e.name === "local");
      if (env && !env.active) await backend.envSelect(env.id);
      setStoreVersion((v) => v + 1);
      setEnvVersion((v) => v + 1);
      setNotice(`Demo server at ${info.http_url}; “${info.name}” is in the sidebar`);
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

  const focus = (css: string) => document.querySelector<HTMLElement>(css)?.focus();
  const pal = usePalette({
    send: () => document.querySelector<HTMLButtonElement>('[aria-label="Composer"] button.primary:not(:disabled)')?.click(),
    save: () => void save(),
    newTab: () => tabs.add(newTab()),
    closeTab: () => tabs.close(tabs.active.key),
    searchLog: () => focus('input[aria-label="Search messages"]'),
    focusUrl: () => focus('input[aria-label="URL"]'),
    toggleConnection: () => (ws.state === "Disconnected" ? connect() : void ws.disconnect()),
    openDemo: () => void demo(),
    toggleTheme: () => setTheme(theme === "dark" ? "light" : "dark"),
    toggleSse,
    importCollection: () => void pickFile({ title: "Import a collection", filters: FILTERS.collection }).then((path) => {
      if (path) void importCollection(path, "auto").then((r) => { setNotice(r.text); if (r.ok) setStoreVersion((v) => v + 1); });
    }),
    newRequest,
    openRequest: openStored,
    copyAs: (f) => void copyAs(f),
    protocol: spec.protocol,
  });

  return (
    <div className={dragOver ? "app drag-over" : "app"}>
      <SplitGroup id="columns" direction="horizontal" className="columns">
      <Panel id="sidebar" order={1} defaultSize={18} minSize={12} maxSize={40} className="pane">
      <Sidebar
        activeRequest={tabs.active.storedId}
        onOpenRequest={openStored}
        onOpenHistory={openHistory}
        onDeleted={tabs.forget}
        onRenamed={tabs.renamed}
        refresh={storeVersion}
        onEnvChanged={() => setEnvVersion((v) => v + 1)}
        onDemo={() => void demo()}
        demoUrl={demoUrl}
        theme={theme}
        onTheme={() => setTheme(theme === "dark" ? "light" : "dark")}
      />
      </Panel>
      <SplitHandle label="Resize sidebar" direction="horizontal" />
      <Panel id="request" order={2} minSize={35} className="pane">
      <main className="main">
        <NoticeBar refresh={storeVersion + envVersion} />
        <RequestTabs tabs={tabs.tabs} states={states} active={tabs.active.key} onSelect={tabs.select} onClose={tabs.close} onNew={() => tabs.add(newTab())} menuItems={tabMenu} />
        <div className="request-head">
          <select aria-label="Protocol" value={spec.protocol} onChange={(e) => tabs.update({ protocol: e.target.value })}
            title="The request's protocol (Socket.IO and GraphQL run over a WebSocket session)">
            {PROTOCOLS.map(([id, label]) => <option key={id} value={id}>{label}</option>)}
          </select>
          <input aria-label="Request name" placeholder="Untitled request" value={name} onChange={(e) => setName(e.target.value)} />
          <button type="button" onClick={() => void save()}>Save</button>
          <button type="button" aria-pressed={sseOpen} onClick={toggleSse} title="Show or hide the SSE pane (its subscription goes on while hidden)">SSE pane</button>
          {notice && <span className="notice" role="note">{notice}</span>}
        </div>
        <ConnectionBar
          url={url}
          onUrl={setUrl}
          known={knownSet}
          reconnect={reconnect}
          onReconnect={setReconnect}
          state={ws.state}
          close={ws.close}
          queued={ws.queued}
          recordFrames={recordFrames}
          onRecordFrames={setRecordFrames}
          onConnect={connect}
          onDisconnect={() => void ws.disconnect()}
        />
        {/* Below the tabs and the connection bar: scrolls when the window is too short for it all. */}
        <div className="main-scroll">
        {varError && (
          <div role="alert" className="error conn-error">
            {varError}
            <button type="button" className="link" onClick={() => setVarError(null)} aria-label="Dismiss variable error">×</button>
          </div>
        )}
        {ws.error && (
          <div role="alert" className="error conn-error">
            <strong>{ws.error.code}</strong> {ws.error.message}
            <button type="button" className="link" onClick={ws.clearError} aria-label="Dismiss error">×</button>
          </div>
        )}
        <UpgradeReport report={ws.upgrade} />
        <RequestEditor spec={spec} onChange={tabs.update} attachment={attachmentOf(attachments, tabs.active)} onAttachment={setAttachment} />
        <div className="panes">
          {welcome ? (
            <Welcome onDemo={() => void demo()} onNew={newRequest} onOpenHistory={openHistory} onImported={() => setStoreVersion((v) => v + 1)} />
          ) : (
          <div className="ws-column">
            <Workbench
              ws={ws}
              url={url}
              sseUrl={sseUrl}
              onSend={send}
              saved={saved}
              onKeep={(m) => setSaved((s) => [...s, m])}
              onForget={(i) => setSaved((s) => s.filter((_, j) => j !== i))}
              onRename={(i, n) => setSaved((s) => s.map((m, j) => (j === i ? { ...m, name: n } : m)))}
              protocol={spec.protocol}
              namespaces={namespacesOf(spec.settings)}
              settings={spec.settings}
              viewKey={tabs.active.key}
              scripted={scripted && spec.protocol !== "sse"}
              droppedSchema={droppedSchema}
              drafts={drafts}
            />
          </div>
          )}
        </div>
        </div>
      </main>
      </Panel>
      <SplitHandle label="Resize SSE pane" direction="horizontal" />
      <Panel id="sse" order={3} ref={ssePanel} collapsible collapsedSize={0} defaultSize={24} minSize={16} maxSize={50}
        className="pane pane-sse" onCollapse={() => setSseOpen(false)} onExpand={() => setSseOpen(true)}>
        <div className="sse-wrap" hidden={!sseOpen}>
          <SsePane url={sseUrl} onUrl={setSseUrl} request={sseRequest} scripted={sseScripted} onVarsSaved={toast} />
        </div>
      </Panel>
      </SplitGroup>
      {pal.palette && <CommandPalette commands={pal.commands} onClose={pal.closePalette} />}
      {pal.help && <ShortcutsHelp mac={isMac} onClose={pal.closeHelp} />}
    </div>
  );
}

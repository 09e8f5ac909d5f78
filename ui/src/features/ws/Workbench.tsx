// The request's work area: tabs Messages (message log, the script's Tests panel, composer), Frames
// and Compare, with the
// protobuf settings shared by the composer and the log; a Socket.IO, GraphQL, STOMP or MQTT request
// gets its protocol's tab first (decoded events), the raw frames one tab away.
import { lazy, Suspense, useCallback, useEffect, useState } from "react";
import { useLiveVersion, type LiveLog } from "../../lib/liveLog";
import { backend, type AppError, type RequestSpec, type SavedMessageDto, type SendMode } from "../../ipc";
import { isBroker } from "../../lib/brokers";
import type { WsSession } from "./useWsSession";
import { MessageLog } from "./MessageLog";
import { TestsPanel } from "./TestsPanel";
import { Composer } from "./Composer";
import { FramesTab } from "./FramesTab";
import { ProtoPanel, type ProtoState } from "../proto/ProtoPanel";
import type { Draft, Drafts } from "../../lib/drafts";
// The heavier views load when first shown, so the window starts with the log and composer only.
const ComparePane = lazy(() => import("../compare/ComparePane").then((m) => ({ default: m.ComparePane })));
const SocketIoView = lazy(() => import("../socketio/SocketIoView").then((m) => ({ default: m.SocketIoView })));
const GraphqlView = lazy(() => import("../graphql/GraphqlView").then((m) => ({ default: m.GraphqlView })));
const BrokerView = lazy(() => import("../brokers/BrokerView").then((m) => ({ default: m.BrokerView })));
import "./workbench.css";

type Tab = "socketio" | "graphql" | "stomp" | "mqtt" | "messages" | "frames" | "compare";
const TABS: { id: Tab; label: string }[] = [
  { id: "messages", label: "Messages" },
  { id: "frames", label: "Frames" },
  { id: "compare", label: "Compare" },
];

const loading = <p className="muted">Loading…</p>;

/** The tabs for a request of `protocol`: its protocol's view first, when it has one. */
function tabsFor(protocol: string): { id: Tab; label: string }[] {
  if (protocol === "socketio") return [{ id: "socketio", label: "Socket.IO" }, ...TABS];
  if (protocol === "graphql") return [{ id: "graphql", label: "GraphQL" }, ...TABS];
  if (protocol === "stomp") return [{ id: "stomp", label: "STOMP" }, ...TABS];
  if (protocol === "mqtt") return [{ id: "mqtt", label: "MQTT" }, ...TABS];
  return TABS;
}

interface Props {
  ws: WsSession;
  url: string;
  sseUrl: string;
  onSend(mode: SendMode, body: string): Promise<string | null>;
  saved: SavedMessageDto[];
  onKeep(message: SavedMessageDto): void;
  onForget(index: number): void;
  onRename(index: number, name: string): void;
  /** The request's protocol (`websocket`, `socketio`, `graphql`, `sse`). */
  protocol?: string;
  /** Socket.IO: the request's namespaces. */
  namespaces?: string[];
  /** The request's settings (STOMP/MQTT: the saved subscriptions). */
  settings?: RequestSpec["settings"];
  /** Changes with the request tab, so the protocol views start from that request's saved messages. */
  viewKey?: string;
  /** The request has scripts: the Tests panel shows beside the log. */
  scripted?: boolean;
  /** A schema file dropped onto the window (loaded by the protobuf settings). */
  droppedSchema?: { path: string; seq: number } | null;
  /** The composer's draft per request tab (keyed by `viewKey`). */
  drafts?: Drafts;
}

/** " (N)" frames recorded, re-rendered on its own as batches come. */
function FrameCount({ live }: { live: LiveLog }) {
  useLiveVersion(live);
  return live.frames > 0 ? <>{` (${live.frames})`}</> : null;
}

export function Workbench({ ws, url, sseUrl, onSend, saved, onKeep, onForget, onRename, protocol = "websocket", namespaces = [], settings = {}, viewKey, scripted = false, droppedSchema = null, drafts }: Props) {
  const tabs = tabsFor(protocol);
  const [tab, setTab] = useState<Tab>(tabs[0].id);
  // A request of another protocol opens on its own first tab.
  useEffect(() => setTab(tabsFor(protocol)[0].id), [protocol, viewKey]);
  const shown: Tab = tabs.some((t) => t.id === tab) ? tab : tabs[0].id;
  const [proto, setProto] = useState<ProtoState>({ types: [], type: null });
  const draftKey = viewKey ?? "";
  const onDraft = useCallback((d: Draft) => drafts?.set(draftKey, d), [drafts, draftKey]);

  const skeleton = async (): Promise<{ text: string } | { error: string }> => {
    if (!proto.type) return { error: "Choose a protobuf type first" };
    try {
      return { text: await backend.protoSkeleton(proto.type) };
    } catch (e) {
      return { error: (e as AppError).message };
    }
  };

  return (
    <div className="workbench">
      <div role="tablist" aria-label="Views" className="tabs">
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={shown === t.id}
            aria-controls={`panel-${t.id}`}
            className={shown === t.id ? "tab active" : "tab"}
            onClick={() => setTab(t.id)}
          >
            {t.label}
            {t.id === "frames" && <FrameCount live={ws.live} />}
          </button>
        ))}
      </div>
      {shown === "socketio" && (
        <div role="tabpanel" id="panel-socketio" aria-labelledby="tab-socketio" className="tabpanel">
          <Suspense fallback={loading}><SocketIoView key={viewKey} session={ws.session} live={ws.live} connected={ws.state === "Connected"}
            namespaces={namespaces} saved={saved} onKeep={onKeep} /></Suspense>
        </div>
      )}
      {shown === "graphql" && (
        <div role="tabpanel" id="panel-graphql" aria-labelledby="tab-graphql" className="tabpanel">
          <Suspense fallback={loading}><GraphqlView key={viewKey} session={ws.session} live={ws.live} connected={ws.state === "Connected"}
            ended={ws.state === "Disconnected"} saved={saved} onKeep={onKeep} /></Suspense>
        </div>
      )}
      {(shown === "stomp" || shown === "mqtt") && isBroker(protocol) && (
        <div role="tabpanel" id={`panel-${shown}`} aria-labelledby={`tab-${shown}`} className="tabpanel">
          <Suspense fallback={loading}><BrokerView key={viewKey} protocol={protocol} session={ws.session} live={ws.live}
            connected={ws.state === "Connected"} settings={settings} saved={saved} /></Suspense>
        </div>
      )}
      <div role="tabpanel" id="panel-messages" aria-labelledby="tab-messages" className="tabpanel" hidden={shown !== "messages"}>
        <ProtoPanel proto={proto} onProto={setProto} dropped={droppedSchema} />
        <MessageLog session={ws.session} live={ws.live} decodeKey={proto.type ?? ""} />
        {(scripted || ws.tests.length > 0) && <TestsPanel tests={ws.tests} ended={ws.state === "Disconnected" && ws.session !== null} />}
        <Composer
          key={draftKey}
          initialDraft={drafts?.get(draftKey)}
          onDraft={onDraft}
          canSend={ws.state !== "Disconnected"}
          onSend={onSend}
          saved={saved}
          onKeep={onKeep}
          onForget={onForget}
          onRename={onRename}
          protoType={proto.type}
          onSkeleton={skeleton}
        />
      </div>
      {shown === "frames" && (
        <div role="tabpanel" id="panel-frames" aria-labelledby="tab-frames" className="tabpanel">
          <FramesTab session={ws.session} live={ws.live} recording={ws.recording} />
        </div>
      )}
      {shown === "compare" && (
        <div role="tabpanel" id="panel-compare" aria-labelledby="tab-compare" className="tabpanel">
          <Suspense fallback={loading}><ComparePane
            defaultWs={url.replace(/\/[^/]*$/, "/feed?n=20&interval=50")}
            defaultSse={sseUrl.replace(/\/[^/?]*(\?.*)?$/, "/sse?n=20&interval=50&done=1")}
          /></Suspense>
        </div>
      )}
    </div>
  );
}

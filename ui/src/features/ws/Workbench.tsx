// The request's work area: tabs Messages (message log + composer), Frames and Compare, with the
// protobuf settings shared by the composer and the log.
import { useState } from "react";
import { useLiveVersion, type LiveLog } from "../../lib/liveLog";
import { backend, type AppError, type SavedMessageDto, type SendMode } from "../../ipc";
import type { WsSession } from "./useWsSession";
import { MessageLog } from "./MessageLog";
import { Composer } from "./Composer";
import { FramesTab } from "./FramesTab";
import { ProtoPanel, type ProtoState } from "../proto/ProtoPanel";
import { ComparePane } from "../compare/ComparePane";
import "./workbench.css";

type Tab = "messages" | "frames" | "compare";
const TABS: { id: Tab; label: string }[] = [
  { id: "messages", label: "Messages" },
  { id: "frames", label: "Frames" },
  { id: "compare", label: "Compare" },
];

interface Props {
  ws: WsSession;
  url: string;
  sseUrl: string;
  onSend(mode: SendMode, body: string): Promise<string | null>;
  saved: SavedMessageDto[];
  onKeep(message: SavedMessageDto): void;
  onForget(index: number): void;
  onRename(index: number, name: string): void;
}

/** " (N)" frames recorded, re-rendered on its own as batches come. */
function FrameCount({ live }: { live: LiveLog }) {
  useLiveVersion(live);
  return live.frames > 0 ? <>{` (${live.frames})`}</> : null;
}

export function Workbench({ ws, url, sseUrl, onSend, saved, onKeep, onForget, onRename }: Props) {
  const [tab, setTab] = useState<Tab>("messages");
  const [proto, setProto] = useState<ProtoState>({ types: [], type: null });

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
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            className={tab === t.id ? "tab active" : "tab"}
            onClick={() => setTab(t.id)}
          >
            {t.label}
            {t.id === "frames" && <FrameCount live={ws.live} />}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="panel-messages" aria-labelledby="tab-messages" className="tabpanel" hidden={tab !== "messages"}>
        <ProtoPanel proto={proto} onProto={setProto} />
        <MessageLog session={ws.session} live={ws.live} decodeKey={proto.type ?? ""} />
        <Composer
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
      {tab === "frames" && (
        <div role="tabpanel" id="panel-frames" aria-labelledby="tab-frames" className="tabpanel">
          <FramesTab session={ws.session} live={ws.live} recording={ws.recording} />
        </div>
      )}
      {tab === "compare" && (
        <div role="tabpanel" id="panel-compare" aria-labelledby="tab-compare" className="tabpanel">
          <ComparePane
            defaultWs={url.replace(/\/[^/]*$/, "/feed?n=20&interval=50")}
            defaultSse={sseUrl.replace(/\/[^/?]*(\?.*)?$/, "/sse?n=20&interval=50&done=1")}
          />
        </div>
      )}
    </div>
  );
}

// The detail pane for the selected log row: decoded protobuf, a JSON tree, hex + ASCII, or text.
import { lazy, Suspense, useEffect, useState } from "react";
import { backend, type AppError, type RowDetail } from "../../ipc";
import { parseJsonContainer } from "../../lib/jsonTree";
import { formatSize, formatTime } from "../../lib/logModel";
import { JsonTree } from "./JsonTree";
import { HexView } from "./HexView";
import { messageText } from "../../lib/copy";
import { useCopy } from "../toasts/useCopy";

// The inspector brings its own code and styles: loaded when first opened.
const ProtoInspector = lazy(() => import("../inspector/ProtoInspector").then((m) => ({ default: m.ProtoInspector })));

interface Props {
  session: number | null;
  index: number | null;
  /** Bumped when the protobuf type changes, so the decode is read again. */
  decodeKey: string;
}

export function RowDetailPane({ session, index, decodeKey }: Props) {
  const [detail, setDetail] = useState<RowDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [inspecting, setInspecting] = useState(false);
  const copy = useCopy();

  useEffect(() => {
    setDetail(null);
    setError(null);
    setInspecting(false);
    if (session === null || index === null) return;
    let live = true;
    backend
      .logDetail(session, index)
      .then((d) => { if (live) setDetail(d); })
      .catch((e) => { if (live) setError((e as AppError).message); });
    return () => { live = false; };
  }, [session, index, decodeKey]);

  if (index === null) return <section className="detail" aria-label="Message detail"><p className="muted">Select a row to see it in full.</p></section>;
  if (error) return <section className="detail" aria-label="Message detail"><p className="error">{error}</p></section>;
  if (!detail) return <section className="detail" aria-label="Message detail"><p className="muted">…</p></section>;
  const proto = parseJsonContainer(detail.proto_json);
  const json = proto === undefined ? parseJsonContainer(detail.text) : undefined;
  return (
    <section className="detail" aria-label="Message detail">
      <div className="detail-head">
        <span>#{detail.index}</span> <span>{detail.dir === "in" ? "received" : "sent"}</span> <span>{detail.kind}</span>{" "}
        <span>{formatTime(detail.t_ms)}</span> <span>{formatSize(detail.size)}</span>
        {detail.kind === "close" && <span> {detail.code} {detail.code_name}</span>}
        {(detail.kind === "binary" || detail.kind === "text") && (
          <button type="button" className="detail-action" title={detail.truncated ? "Copies what is shown (the payload is longer)" : "Copy the payload (binary as hex)"}
            onClick={() => void copy(messageText(detail), `message #${detail.index}`)}>Copy message</button>
        )}
        {(detail.kind === "binary" || detail.kind === "text") && session !== null && (
          <button type="button" className="detail-action" onClick={() => setInspecting(true)}>Inspect protobuf</button>
        )}
      </div>
      {inspecting && session !== null && (
        <Suspense fallback={<p className="muted">Loading the inspector…</p>}>
          <ProtoInspector session={session} index={detail.index} onClose={() => setInspecting(false)} />
        </Suspense>
      )}
      {proto !== undefined && <JsonTree value={proto} label="Protobuf tree" />}
      {detail.proto_error && <p className="error">{detail.proto_error}</p>}
      {proto === undefined && json !== undefined && <JsonTree value={json} label="JSON tree" />}
      {detail.hex !== null && <HexView hex={detail.hex} truncated={detail.truncated} />}
      {json === undefined && detail.hex === null && detail.text !== null && <pre className="detail-text">{detail.text}</pre>}
    </section>
  );
}

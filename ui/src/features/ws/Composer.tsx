// The composer: mode (text/JSON/hex/base64/file/protobuf JSON), the CodeMirror message editor,
// Send (Ctrl/Cmd+Enter), Format and Skeleton, and named saved messages sent with one click.
// Its draft (text and mode) starts from `initialDraft` and is reported through `onDraft`, so each
// request tab keeps its own (the workbench remounts the composer per tab).
import { useEffect, useState } from "react";
import type { SavedMessageDto, SendMode } from "../../ipc";
import { MODES, checkMessage, formatJson } from "../../lib/composer";
import { defaultMessageName, savedMessage } from "../../lib/savedMessages";
import { EMPTY_DRAFT, type Draft } from "../../lib/drafts";
import { CodeEditor } from "./CodeEditor";
import { FileField } from "../files/FileField";

interface Props {
  canSend: boolean;
  onSend(mode: SendMode, body: string): Promise<string | null>;
  saved: SavedMessageDto[];
  onKeep(message: SavedMessageDto): void;
  onForget(index: number): void;
  onRename(index: number, name: string): void;
  /** The protobuf type in use (protobuf mode sends it); null when none is set. */
  protoType?: string | null;
  /** A JSON skeleton of the protobuf type, or an error to show. */
  onSkeleton?(): Promise<{ text: string } | { error: string }>;
  /** The draft to start from (this tab's, when it had one). */
  initialDraft?: Draft;
  /** Called with the draft whenever its text or mode changes. */
  onDraft?(draft: Draft): void;
}

const PLACEHOLDER: Record<SendMode, string> = {
  text: "Message (Ctrl+Enter sends)",
  json: '{"hello": "sockpit"} (Ctrl+Enter sends)',
  hex: "de ad be ef",
  base64: "3q2+7w==",
  file: "Choose a file: it is sent as one binary message",
  protobuf: "Protobuf JSON: load a .proto, choose a type, then Skeleton",
};

export function Composer({ canSend, onSend, saved, onKeep, onForget, onRename, protoType = null, onSkeleton, initialDraft = EMPTY_DRAFT, onDraft }: Props) {
  const [mode, setMode] = useState<SendMode>(initialDraft.mode);
  const [body, setBody] = useState(initialDraft.body);
  useEffect(() => onDraft?.({ mode, body }), [mode, body, onDraft]);
  const [error, setError] = useState<string | null>(null);
  const [keepName, setKeepName] = useState("");
  const [renaming, setRenaming] = useState<{ index: number; draft: string } | null>(null);

  const keep = () => {
    if (!body) return;
    onKeep(savedMessage(body, mode, keepName));
    setKeepName("");
  };

  const finishRename = () => {
    if (!renaming) return;
    const m = saved[renaming.index];
    if (m) onRename(renaming.index, renaming.draft.trim() || defaultMessageName(m.body));
    setRenaming(null);
  };

  const send = async (text = body, m = mode) => {
    const check = checkMessage(m, text);
    if (!check.ok) {
      setError(check.error); // the text stays as typed
      return;
    }
    if (m === "protobuf" && !protoType) {
      setError("Choose a protobuf type first (load a .proto file)");
      return;
    }
    setError(await onSend(m, text));
  };

  const skeleton = async () => {
    if (!onSkeleton) return;
    const r = await onSkeleton();
    if ("text" in r) { setBody(r.text); setError(null); } else setError(r.error);
  };

  return (
    <section className="composer" aria-label="Composer">
      <div className="composer-bar">
        <select aria-label="Mode" value={mode} onChange={(e) => {
          const next = e.target.value as SendMode;
          // A file path is not a message body, nor the other way round.
          if ((next === "file") !== (mode === "file")) setBody("");
          setMode(next);
          setError(null);
        }}>
          {MODES.map((m) => (
            <option key={m.value} value={m.value}>{m.label}</option>
          ))}
        </select>
        {(mode === "json" || mode === "protobuf") && (
          <button type="button" onClick={() => setBody(formatJson(body))}>Format</button>
        )}
        {mode === "protobuf" && (
          <button type="button" onClick={() => void skeleton()} disabled={!protoType}>Skeleton</button>
        )}
        {mode === "protobuf" && <span className="proto-type">{protoType ?? "no type"}</span>}
        <input
          aria-label="Message name"
          className="message-name"
          placeholder="Name (optional)"
          value={keepName}
          onChange={(e) => setKeepName(e.target.value)}
          onKeyDown={(e) => { if (e.key === "Enter") keep(); }}
        />
        <button type="button" onClick={keep} disabled={!body}>Keep message</button>
        <button type="button" className="primary" onClick={() => void send()} disabled={!canSend}>Send</button>
      </div>
      {mode === "file" ? (
        <div className="composer-file">
          <FileField label="File to send" value={body} onChange={(v) => { setBody(v); setError(null); }} />
          <span className="muted">{PLACEHOLDER.file}</span>
        </div>
      ) : (
        <CodeEditor
          label="Message"
          value={body}
          json={mode === "json" || mode === "protobuf"}
          invalid={error !== null}
          placeholder={PLACEHOLDER[mode]}
          onChange={(v) => { setBody(v); setError(null); }}
          onSubmit={() => { if (canSend) void send(); }}
        />
      )}
      {error && <div role="alert" className="error">{error}</div>}
      {saved.length > 0 && (
        <ul className="saved-messages" aria-label="Saved messages">
          {saved.map((m, i) => (
            <li key={i}>
              {renaming?.index === i ? (
                <input
                  aria-label={`Name of saved message ${i + 1}`}
                  autoFocus
                  value={renaming.draft}
                  onChange={(e) => setRenaming({ index: i, draft: e.target.value })}
                  onKeyDown={(e) => {
                    if (e.key === "Enter") finishRename();
                    if (e.key === "Escape") setRenaming(null);
                  }}
                  onBlur={finishRename}
                />
              ) : (
                <button
                  type="button"
                  className="link"
                  title={m.body}
                  onClick={() => { setBody(m.body); setMode(m.kind); setError(null); }}
                  onDoubleClick={() => setRenaming({ index: i, draft: m.name })}
                >
                  {m.name}
                </button>
              )}
              {m.kind !== "text" && <span className="kind-tag">{m.kind}</span>}
              <button type="button" aria-label={`Send saved message ${i + 1}`} title={`Send “${m.name}”`} disabled={!canSend} onClick={() => void send(m.body, m.kind)}>↑</button>
              <button type="button" aria-label={`Rename saved message ${i + 1}`} title="Rename" onClick={() => setRenaming({ index: i, draft: m.name })}>✎</button>
              <button type="button" aria-label={`Forget saved message ${i + 1}`} title="Forget" onClick={() => onForget(i)}>×</button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

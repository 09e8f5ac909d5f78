// The composer: mode (text/JSON/hex/base64), the message, Send (Ctrl/Cmd+Enter), saved messages.
import { useState } from "react";
import type { SendMode } from "../../ipc";
import { MODES, checkMessage, formatJson } from "../../lib/composer";

interface Props {
  canSend: boolean;
  onSend(mode: SendMode, body: string): Promise<string | null>;
  saved: string[];
  onKeep(body: string): void;
  onForget(index: number): void;
}

export function Composer({ canSend, onSend, saved, onKeep, onForget }: Props) {
  const [mode, setMode] = useState<SendMode>("text");
  const [body, setBody] = useState("");
  const [error, setError] = useState<string | null>(null);

  const send = async (text = body, m = mode) => {
    const check = checkMessage(m, text);
    if (!check.ok) {
      setError(check.error); // the text stays as typed
      return;
    }
    setError(await onSend(m, text));
  };

  return (
    <section className="composer" aria-label="Composer">
      <div className="composer-bar">
        <select aria-label="Mode" value={mode} onChange={(e) => { setMode(e.target.value as SendMode); setError(null); }}>
          {MODES.map((m) => (
            <option key={m.value} value={m.value}>{m.label}</option>
          ))}
        </select>
        {mode === "json" && (
          <button type="button" onClick={() => setBody(formatJson(body))}>Format</button>
        )}
        <button type="button" onClick={() => body && onKeep(body)} disabled={!body}>Keep message</button>
        <button type="button" className="primary" onClick={() => send()} disabled={!canSend}>Send</button>
      </div>
      <textarea
        aria-label="Message"
        spellCheck={false}
        value={body}
        aria-invalid={error ? true : undefined}
        onChange={(e) => { setBody(e.target.value); setError(null); }}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            if (canSend) void send();
          }
        }}
        placeholder="Message (Ctrl+Enter sends)"
      />
      {error && <div role="alert" className="error">{error}</div>}
      {saved.length > 0 && (
        <ul className="saved-messages" aria-label="Saved messages">
          {saved.map((m, i) => (
            <li key={i}>
              <button type="button" className="link" title="Put in the composer" onClick={() => setBody(m)}>{m}</button>
              <button type="button" aria-label={`Send saved message ${i + 1}`} disabled={!canSend} onClick={() => send(m, mode)}>↑</button>
              <button type="button" aria-label={`Forget saved message ${i + 1}`} onClick={() => onForget(i)}>×</button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

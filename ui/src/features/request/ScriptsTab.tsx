// The Scripts tab: a hook picker (before_connect, on_open, on_message, on_close, after; a dot marks
// the written ones) and the picked hook's JavaScript editor, saved with the request; and what the
// window keeps beside it (lib/scriptAttachments): a hook file picked with "Hook file…" (its syntax
// checked by the engine, run before the request's hooks on Connect) and "Stop on script error".
import { useEffect, useState } from "react";
import { backend, pickFile, type AppError, type ScriptsDto } from "../../ipc";
import { blankScripts, HOOKS, writtenHooks, type HookName } from "../../lib/scripts";
import type { ScriptAttachment } from "../../lib/scriptAttachments";
import { ScriptEditor } from "./ScriptEditor";

interface Props {
  scripts: ScriptsDto | undefined;
  onChange(scripts: ScriptsDto): void;
  attachment: ScriptAttachment;
  onAttachment(a: ScriptAttachment): void;
}

/** The engine's verdict on the attached file: whole, its syntax errors, or why it cannot be read. */
function useFileCheck(path: string | null): string[] | null {
  const [found, setFound] = useState<string[] | null>(null);
  useEffect(() => {
    setFound(null);
    if (!path) return;
    let live = true;
    backend
      .scriptCheckFile(path)
      .then((d) => live && setFound(d.map((x) => `line ${x.line}, column ${x.column}: ${x.message}`)))
      .catch((e) => live && setFound([(e as AppError).message]));
    return () => { live = false; };
  }, [path]);
  return found;
}

function HookFile({ attachment, onAttachment }: Pick<Props, "attachment" | "onAttachment">) {
  const found = useFileCheck(attachment.hookFile);
  const pick = async () => {
    const path = await pickFile({ title: "Attach a hook file", filters: [{ name: "JavaScript", extensions: ["js", "mjs"] }] });
    if (path) onAttachment({ ...attachment, hookFile: path });
  };
  return (
    <div className="hook-file" role="group" aria-label="Hook file">
      <button type="button" onClick={() => void pick()}>Hook file…</button>
      {attachment.hookFile && (
        <>
          <code className="hook-file-path" title="Runs before the request's own hooks">{attachment.hookFile}</code>
          <button type="button" onClick={() => onAttachment({ ...attachment, hookFile: null })}>Detach</button>
          {found && (found.length ? (
            <ul className="hook-file-errors" aria-label="Hook file errors">{found.map((f) => <li key={f}>{f}</li>)}</ul>
          ) : <span className="hook-file-ok">syntax OK</span>)}
        </>
      )}
      <label className="stop-on-error">
        <input type="checkbox" checked={attachment.stopOnError} onChange={(e) => onAttachment({ ...attachment, stopOnError: e.target.checked })} />
        Stop on script error
      </label>
    </div>
  );
}

export function ScriptsTab({ scripts, onChange, attachment, onAttachment }: Props) {
  const s = scripts ?? blankScripts();
  const written = writtenHooks(s);
  const [hook, setHook] = useState<HookName>(written[0] ?? "on_message");
  return (
    <div className="scripts-tab">
      <HookFile attachment={attachment} onAttachment={onAttachment} />
      <div role="radiogroup" aria-label="Hook" className="hook-picker">
        {HOOKS.map((h) => (
          <button key={h} type="button" role="radio" aria-checked={hook === h} onClick={() => setHook(h)}>
            {h}{written.includes(h) ? " •" : ""}
          </button>
        ))}
      </div>
      <ScriptEditor key={hook} hook={hook} value={s[hook]} onChange={(body) => onChange({ ...s, [hook]: body })} />
    </div>
  );
}

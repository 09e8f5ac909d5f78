// The Scripts tab: a hook picker (before_connect, on_open, on_message, on_close, after; a dot marks
// the written ones) and the picked hook's JavaScript editor. Saved with the request.
import { useState } from "react";
import type { ScriptsDto } from "../../ipc";
import { blankScripts, HOOKS, writtenHooks, type HookName } from "../../lib/scripts";
import { ScriptEditor } from "./ScriptEditor";

interface Props {
  scripts: ScriptsDto | undefined;
  onChange(scripts: ScriptsDto): void;
}

export function ScriptsTab({ scripts, onChange }: Props) {
  const s = scripts ?? blankScripts();
  const written = writtenHooks(s);
  const [hook, setHook] = useState<HookName>(written[0] ?? "on_message");
  return (
    <div className="scripts-tab">
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

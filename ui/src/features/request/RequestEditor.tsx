// The request editor's tabs: Params, Headers, Auth, Protocols, Scripts and Settings of the active request, and
// for a Socket.IO or GraphQL request its protocol's settings first.
import { lazy, Suspense, useState } from "react";
import type { RequestSpec } from "../../ipc";
import { AuthTab } from "./AuthTab";
import { KvTable } from "./KvTable";
import { SettingsTab } from "./SettingsTab";
// The Scripts tab brings CodeMirror's JavaScript language: loaded when first opened.
const ScriptsTab = lazy(() => import("./ScriptsTab").then((m) => ({ default: m.ScriptsTab })));
import { writtenHooks } from "../../lib/scripts";
import { GraphqlTab, SocketIoTab } from "./ProtocolTab";
import type { ScriptAttachment } from "../../lib/scriptAttachments";

const TABS = ["Socket.IO", "GraphQL", "Params", "Headers", "Auth", "Protocols", "Scripts", "Settings"] as const;
type Tab = (typeof TABS)[number];

/** The tabs a request of `protocol` shows (its protocol's own settings first). */
const tabsFor = (protocol: string): Tab[] =>
  TABS.filter((t) => (t === "Socket.IO" ? protocol === "socketio" : t === "GraphQL" ? protocol === "graphql" : true));

interface Props {
  spec: RequestSpec;
  onChange(patch: Partial<RequestSpec>): void;
  /** The hook file and stop-on-error kept by the window for this request (Scripts tab). */
  attachment: ScriptAttachment;
  onAttachment(a: ScriptAttachment): void;
}

export function RequestEditor({ spec, onChange, attachment, onAttachment }: Props) {
  const [picked, setTab] = useState<Tab | null>(null);
  const tab = picked && tabsFor(spec.protocol).includes(picked) ? picked : null;
  const count = (t: Tab) =>
    t === "Params" ? spec.params.length : t === "Headers" ? spec.headers.length : t === "Protocols" ? spec.subprotocols.length : t === "Scripts" ? writtenHooks(spec.scripts).length + (attachment.hookFile ? 1 : 0) : 0;
  return (
    <section className="request-editor" aria-label="Request editor">
      <div role="tablist" aria-label="Request settings" className="editor-tabs">
        {tabsFor(spec.protocol).map((t) => (
          <button key={t} type="button" role="tab" id={`edtab-${t}`} aria-selected={tab === t} aria-controls="edpanel"
            onClick={() => setTab(tab === t ? null : t)}>
            {t}{count(t) ? ` (${count(t)})` : ""}{t === "Auth" && spec.auth.type && spec.auth.type !== "none" ? " •" : ""}
          </button>
        ))}
      </div>
      {tab && (
        <div role="tabpanel" id="edpanel" aria-labelledby={`edtab-${tab}`} className="editor-panel">
          {tab === "Socket.IO" && <SocketIoTab spec={spec} onChange={onChange} />}
          {tab === "GraphQL" && <GraphqlTab spec={spec} onChange={onChange} />}
          {tab === "Params" && <KvTable noun="Param" rows={spec.params} onChange={(params) => onChange({ params })} />}
          {tab === "Headers" && <KvTable noun="Header" rows={spec.headers} onChange={(headers) => onChange({ headers })} />}
          {tab === "Auth" && <AuthTab auth={spec.auth} onChange={(auth) => onChange({ auth })} />}
          {tab === "Protocols" && (
            <label className="field">
              <span>Subprotocols (one per line, offered in this order)</span>
              <textarea aria-label="Subprotocols" rows={3} value={spec.subprotocols.join("\n")}
                onChange={(e) => onChange({ subprotocols: e.target.value.split("\n") })} />
            </label>
          )}
          {tab === "Scripts" && <Suspense fallback={<p className="muted">Loading…</p>}><ScriptsTab scripts={spec.scripts} onChange={(scripts) => onChange({ scripts })} attachment={attachment} onAttachment={onAttachment} /></Suspense>}
          {tab === "Settings" && <SettingsTab spec={spec} onChange={onChange} />}
        </div>
      )}
    </section>
  );
}

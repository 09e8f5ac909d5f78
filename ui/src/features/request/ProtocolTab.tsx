// The Socket.IO and GraphQL settings tabs of the request editor: Socket.IO's path, namespaces, auth
// payload, Engine.IO version and transport; GraphQL's subprotocol, init payload and ack timeout.
import type { RequestSpec } from "../../ipc";
import { graphqlFromModel, graphqlToModel, jsonHint, socketioFromModel, socketioToModel, type GraphqlForm, type SocketIoForm } from "../../lib/protocolSettings";

interface Props {
  spec: RequestSpec;
  onChange(patch: Partial<RequestSpec>): void;
}

const Hint = ({ text }: { text: string | null }) => (text ? <span className="hint error-text">{text}</span> : null);

export function SocketIoTab({ spec, onChange }: Props) {
  const f = socketioFromModel(spec.settings);
  const set = (patch: Partial<SocketIoForm>) => onChange({ settings: socketioToModel({ ...f, ...patch }, spec.settings) });
  return (
    <div className="settings-tab">
      <label className="field"><span>Path</span>
        <input aria-label="Socket.IO path" placeholder="/socket.io/" value={f.path} onChange={(e) => set({ path: e.target.value })} /></label>
      <label className="field"><span>Namespaces (one per line; emits go to the first)</span>
        <textarea aria-label="Namespaces" rows={2} placeholder="/" value={f.namespaces} onChange={(e) => set({ namespaces: e.target.value })} /></label>
      <label className="field"><span>Auth payload (JSON; v2: query)</span>
        <textarea aria-label="Auth payload" rows={2} placeholder='{"token": "{{token}}"}' value={f.auth} onChange={(e) => set({ auth: e.target.value })} />
        <Hint text={jsonHint(f.auth)} /></label>
      <label className="field"><span>Engine.IO version</span>
        <select aria-label="Engine.IO version" value={f.eio} onChange={(e) => set({ eio: e.target.value as SocketIoForm["eio"] })}>
          <option value="auto">Auto-detect</option>
          <option value="4">4 (Socket.IO v3, v4)</option>
          <option value="3">3 (Socket.IO v2)</option>
        </select></label>
      <label className="field"><span>Transport</span>
        <select aria-label="Transport" value={f.transport} onChange={(e) => set({ transport: e.target.value as SocketIoForm["transport"] })}>
          <option value="polling">Polling, then upgrade (as the official client)</option>
          <option value="websocket">WebSocket only</option>
        </select></label>
    </div>
  );
}

export function GraphqlTab({ spec, onChange }: Props) {
  const f = graphqlFromModel(spec.settings);
  const set = (patch: Partial<GraphqlForm>) => onChange({ settings: graphqlToModel({ ...f, ...patch }, spec.settings) });
  return (
    <div className="settings-tab">
      <label className="field"><span>Subprotocol</span>
        <select aria-label="GraphQL subprotocol" value={f.subprotocol} onChange={(e) => set({ subprotocol: e.target.value as GraphqlForm["subprotocol"] })}>
          <option value="auto">Auto (offer both; the server picks)</option>
          <option value="graphql-transport-ws">graphql-transport-ws (graphql-ws library)</option>
          <option value="graphql-ws">graphql-ws (legacy subscriptions-transport-ws)</option>
        </select></label>
      <label className="field"><span>connection_init payload (JSON)</span>
        <textarea aria-label="Init payload" rows={2} placeholder='{"token": "{{token}}"}' value={f.init} onChange={(e) => set({ init: e.target.value })} />
        <Hint text={jsonHint(f.init)} /></label>
      <label className="field"><span>connection_ack timeout (ms)</span>
        <input aria-label="Ack timeout (ms)" type="number" min={0} placeholder="10000" value={f.ackTimeoutMs} onChange={(e) => set({ ackTimeoutMs: e.target.value })} /></label>
    </div>
  );
}

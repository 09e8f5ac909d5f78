// The Settings tab: handshake timeout, reconnect, ping and heartbeat, permessage-deflate and its
// parameters, max message size, TLS (CA file, skip verification) and a proxy.
import type { RequestSpec } from "../../ipc";
import { settingsFromModel, settingsToModel, type SettingsForm } from "../../lib/requestModel";
import { FileField } from "../files/FileField";
import { FILTERS } from "../../lib/fileKinds";

interface Props {
  spec: RequestSpec;
  onChange(patch: Partial<RequestSpec>): void;
}

export function SettingsTab({ spec, onChange }: Props) {
  const f = settingsFromModel(spec.settings);
  const set = (patch: Partial<SettingsForm>) => onChange({ settings: settingsToModel({ ...f, ...patch }, spec.settings) });
  const num = (label: string, k: keyof SettingsForm, placeholder = "") => (
    <label className="field">
      <span>{label}</span>
      <input aria-label={label} type="number" min={0} placeholder={placeholder} value={String(f[k])}
        onChange={(e) => set({ [k]: e.target.value } as Partial<SettingsForm>)} />
    </label>
  );
  const extras = spec.extras;
  return (
    <div className="settings-tab">
      <fieldset><legend>Timeouts</legend>{num("Handshake timeout (ms)", "handshakeTimeoutMs", "10000")}</fieldset>
      <fieldset><legend>Reconnect</legend>
        {num("Backoff base (ms)", "reconnectBaseMs", "500")}
        {num("Backoff max (ms)", "reconnectMaxMs", "30000")}
        {num("Max retries", "maxRetries", "unlimited")}
      </fieldset>
      <fieldset><legend>Keepalive</legend>
        {num("Ping interval (ms)", "pingIntervalMs", "off")}
        {num("Pong timeout (ms)", "pingTimeoutMs", "10000")}
        <label className="field"><span>Heartbeat message</span>
          <input aria-label="Heartbeat message" value={f.heartbeatMessage} onChange={(e) => set({ heartbeatMessage: e.target.value })} /></label>
        {num("Heartbeat interval (ms)", "heartbeatIntervalMs")}
        <label className="field"><span>Heartbeat reply</span>
          <input aria-label="Heartbeat reply" placeholder="regex (optional)" value={f.heartbeatExpect} onChange={(e) => set({ heartbeatExpect: e.target.value })} /></label>
        {num("Heartbeat timeout (ms)", "heartbeatTimeoutMs", "10000")}
      </fieldset>
      <fieldset><legend>Messages</legend>
        <label className="check"><input type="checkbox" aria-label="permessage-deflate" checked={f.deflate} onChange={(e) => set({ deflate: e.target.checked })} />permessage-deflate</label>
        <label className="field"><span>Deflate parameters</span>
          <input aria-label="Deflate parameters" disabled={!f.deflate} placeholder="client_no_context_takeover; server_max_window_bits=10"
            value={extras.deflate_params} onChange={(e) => onChange({ extras: { ...extras, deflate_params: e.target.value } })} /></label>
        {num("Max message size (bytes)", "maxMessageSize", "67108864")}
      </fieldset>
      <fieldset><legend>TLS and proxy</legend>
        <div className="field"><span>CA file</span>
          <FileField label="CA file" value={extras.ca_file} filters={FILTERS.pem} onChange={(ca_file) => onChange({ extras: { ...extras, ca_file } })} /></div>
        <label className="check"><input type="checkbox" aria-label="Skip certificate verification" checked={extras.insecure}
          onChange={(e) => onChange({ extras: { ...extras, insecure: e.target.checked } })} />Skip certificate verification (insecure)</label>
        <p className="muted">A client certificate is an Auth pattern (Auth → Client certificate).</p>
        <label className="field"><span>Proxy</span>
          <input aria-label="Proxy" placeholder="http://host:3128, socks5://host:1080" value={extras.proxy} onChange={(e) => onChange({ extras: { ...extras, proxy: e.target.value } })} /></label>
      </fieldset>
    </div>
  );
}

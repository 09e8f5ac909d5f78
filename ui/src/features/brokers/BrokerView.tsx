// The STOMP or MQTT tab of a request: the subscriptions (the saved ones, subscribed on connect, then
// any added here) with a live count of messages received each, the composer (STOMP destination,
// headers and body → SEND; MQTT topic, QoS, retain and payload → PUBLISH), the saved SENDs/publishes
// sendable in one click, and the decoded frames/packets. The raw frames stay in the Messages log and
// the Frames tab. Input is checked by the engine; its message shows as given.
import { useMemo, useState } from "react";
import { backend, type AppError, type RequestSpec, type SavedMessageDto } from "../../ipc";
import { useLiveVersion, type LiveLog } from "../../lib/liveLog";
import { BROKER_PROTOCOLS, brokerSummary, brokerTarget, savedSubs, subscriptionCounts, type BrokerProtocol, type BrokerSub } from "../../lib/brokers";
import { parseData } from "../../lib/protoEvents";
import { JsonTree } from "../ws/JsonTree";
import "../socketio/protoViews.css";

/** Rows drawn at most (the newest); the rest stay in the session. */
const SHOWN = 300;

interface Props {
  protocol: BrokerProtocol;
  session: number | null;
  live: LiveLog;
  connected: boolean;
  settings: RequestSpec["settings"];
  saved: SavedMessageDto[];
}

export function BrokerView({ protocol, session, live, connected, settings, saved }: Props) {
  useLiveVersion(live);
  const stomp = protocol === "stomp";
  const name = BROKER_PROTOCOLS[protocol];
  const [added, setAdded] = useState<BrokerSub[]>([]);
  const [removed, setRemoved] = useState<ReadonlySet<string>>(new Set());
  const [newTarget, setNewTarget] = useState("");
  const [newMode, setNewMode] = useState(stomp ? "auto" : "0");
  const [target, setTarget] = useState("");
  const [headers, setHeaders] = useState("");
  const [qos, setQos] = useState("0");
  const [retain, setRetain] = useState(false);
  const [body, setBody] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<number | null>(null);

  const events = live.proto;
  const subs = useMemo(
    () => [...savedSubs(protocol, settings), ...added].filter((s) => !removed.has(s.key)),
    [protocol, settings, added, removed],
  );
  const counts = useMemo(() => subscriptionCounts(protocol, subs, events), [protocol, subs, events]);
  const shown = events.slice(-SHOWN);
  const offset = events.length - shown.length;

  const run = async (f: (session: number) => Promise<void>): Promise<boolean> => {
    if (session === null || session < 0) {
      setError("Connect first");
      return false;
    }
    try {
      await f(session);
      setError(null);
      return true;
    } catch (e) {
      setError((e as AppError).message);
      return false;
    }
  };

  const subscribe = async () => {
    const t = newTarget.trim();
    const key = stomp ? `win-${added.length + removed.size}-${Date.now() % 100000}` : t;
    const ok = await run((s) => stomp ? backend.stompSubscribe(s, key, t, newMode) : backend.mqttSubscribe(s, t, Number(newMode)));
    if (ok) {
      const since = events.length ? events[events.length - 1].t_ms : 0;
      setAdded((a) => [...a.filter((x) => x.key !== key), { key, target: t, mode: newMode, since }]);
      setRemoved((r) => { const n = new Set(r); n.delete(key); return n; });
      setNewTarget("");
    }
  };

  const unsubscribe = async (sub: BrokerSub) => {
    const ok = await run((s) => stomp ? backend.stompUnsubscribe(s, sub.key) : backend.mqttUnsubscribe(s, sub.target));
    if (ok) setRemoved((r) => new Set(r).add(sub.key));
  };

  const send = (dest: string, hdrs: string, text: string, q: number, r: boolean) =>
    run((s) => stomp ? backend.stompSend(s, dest, hdrs, text) : backend.mqttPublish(s, dest, q, r, text));

  const sendSaved = (m: SavedMessageDto) =>
    void send(stomp ? m.destination ?? "" : m.topic ?? "", (m.headers ?? []).join("\n"), m.body, m.qos ?? 0, m.retain ?? false);

  const selectedEv = selected === null ? null : events[selected] ?? null;
  return (
    <div className="proto-view broker-view">
      <fieldset className="broker-subs" aria-label="Subscriptions">
        <legend>Subscriptions</legend>
        {subs.length === 0 && <span className="muted">None yet.</span>}
        <ul>
          {subs.map((s) => (
            <li key={s.key} data-testid="subscription">
              <code>{s.target}</code> <span className="muted">{stomp ? `ack ${s.mode}` : `QoS ${s.mode}`}</span>{" "}
              <span className="count" aria-label={`Received on ${s.target}`}>{counts.get(s.key) ?? 0}</span>{" "}
              <button type="button" className="link" aria-label={`Unsubscribe ${s.target}`} disabled={!connected}
                onClick={() => void unsubscribe(s)}>Unsubscribe</button>
            </li>
          ))}
        </ul>
        <label className="field"><span>{stomp ? "Destination" : "Topic filter"}</span>
          <input aria-label={stomp ? "Subscribe destination" : "Subscribe topic filter"} placeholder={stomp ? "/topic/demo" : "demo/+/temp"}
            value={newTarget} onChange={(e) => setNewTarget(e.target.value)} onKeyDown={(e) => { if (e.key === "Enter") void subscribe(); }} /></label>
        {stomp ? (
          <select aria-label="Ack mode" value={newMode} onChange={(e) => setNewMode(e.target.value)}>
            {["auto", "client", "client-individual"].map((m) => <option key={m} value={m}>{m}</option>)}
          </select>
        ) : (
          <input aria-label="Subscribe QoS" type="number" min={0} max={2} value={newMode} onChange={(e) => setNewMode(e.target.value)} />
        )}
        <button type="button" aria-label="Add subscription" disabled={!connected} onClick={() => void subscribe()}>Subscribe</button>
      </fieldset>
      <div className="sio-composer broker-composer" role="group" aria-label={`${name} composer`}>
        <label className="field"><span>{stomp ? "Destination" : "Topic"}</span>
          <input aria-label={stomp ? "SEND destination" : "Publish topic"} placeholder={stomp ? "/topic/demo" : "demo/kitchen/temp"}
            value={target} onChange={(e) => setTarget(e.target.value)} /></label>
        {stomp ? (
          <label className="field"><span>Headers</span>
            <textarea aria-label="SEND headers" placeholder="content-type:text/plain (one name:value a line)" rows={2}
              value={headers} onChange={(e) => setHeaders(e.target.value)} /></label>
        ) : (
          <>
            <label className="field"><span>QoS</span>
              <input aria-label="Publish QoS" type="number" min={0} max={2} value={qos} onChange={(e) => setQos(e.target.value)} /></label>
            <label className="check"><input type="checkbox" checked={retain} onChange={(e) => setRetain(e.target.checked)} />Retain</label>
          </>
        )}
        <label className="field"><span>{stomp ? "Body" : "Payload"}</span>
          <textarea aria-label={stomp ? "SEND body" : "Publish payload"} rows={3} value={body} onChange={(e) => setBody(e.target.value)} /></label>
        <button type="button" disabled={!connected} onClick={() => void send(target, headers, body, Number(qos), retain)}>
          {stomp ? "Send" : "Publish"}</button>
      </div>
      {error && <div className="error" aria-live="polite" data-testid="broker-error">{error}</div>}
      {saved.length > 0 && (
        <ul className="broker-saved" aria-label={stomp ? "Saved SENDs" : "Saved publishes"}>
          {saved.map((m, i) => (
            <li key={i}>
              <button type="button" disabled={!connected} aria-label={`${stomp ? "Send" : "Publish"} ${m.name}`} onClick={() => sendSaved(m)}>
                {stomp ? "Send" : "Publish"}</button>{" "}
              <strong>{m.name}</strong> → <code>{brokerTarget(protocol, m)}</code>
            </li>
          ))}
        </ul>
      )}
      <div role="log" aria-label={`${name} frames`} className="proto-log">
        {live.protoDropped > 0 && <div className="muted">{live.protoDropped} older events not shown</div>}
        {shown.map((ev, i) => (
          <div key={offset + i} data-direction={ev.dir} data-kind={ev.kind}
            className={`proto-row dir-${ev.dir} kind-${ev.kind}${ev.kind === "protocol_error" ? " error" : ""}${selected === offset + i ? " selected" : ""}`}
            onClick={() => setSelected(offset + i)}>
            <span className="t">{ev.t_ms.toFixed(1)}</span>
            <span className="arrow">{ev.dir === "in" ? "↓" : "↑"}</span>
            <span className="text">{brokerSummary(ev)}</span>
          </div>
        ))}
      </div>
      {selectedEv && selectedEv.data && (
        <div className="proto-detail">
          <JsonTree value={parseData(selectedEv.data)} label={stomp ? "Frame" : "Packet"} />
        </div>
      )}
    </div>
  );
}

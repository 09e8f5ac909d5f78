// A STOMP or MQTT request's work area until the window has their views: the protocol, its
// subscriptions and saved SENDs/publishes (read-only), and how to run it today.
import type { RequestSpec } from "../../ipc";
import { BROKER_PROTOCOLS, brokerSubscriptions, brokerTarget, type BrokerProtocol } from "../../lib/brokers";

interface Props {
  protocol: BrokerProtocol;
  spec: RequestSpec;
  /** "Copy as sockpit stomp|mqtt": the engine's command line for this request. */
  onCopy(): void;
}

export function BrokerPanel({ protocol, spec, onCopy }: Props) {
  const name = BROKER_PROTOCOLS[protocol];
  const subs = brokerSubscriptions(protocol, spec.settings);
  const sends = protocol === "stomp" ? "SENDs" : "publishes";
  return (
    <section className="broker-panel" aria-label={`${name} request`}>
      <h2>{name} request</h2>
      <p className="muted">
        The window cannot connect {name} requests yet (Connect is off). <code>sockpit run</code> runs this
        request with its assertions; or copy it as a command line.
      </p>
      <button type="button" className="primary" onClick={onCopy}>Copy as sockpit {protocol}</button>
      <h3>Subscriptions</h3>
      {subs.length ? (
        <ul aria-label="Subscriptions">{subs.map((s, i) => <li key={i}><code>{s}</code></li>)}</ul>
      ) : <p className="muted">None</p>}
      <h3>Saved {sends}</h3>
      {spec.messages.length ? (
        <ul aria-label={`Saved ${sends}`}>
          {spec.messages.map((m, i) => (
            <li key={i}>
              <strong>{m.name}</strong> → <code>{brokerTarget(protocol, m)}</code>
              <pre>{m.body}</pre>
            </li>
          ))}
        </ul>
      ) : <p className="muted">None</p>}
    </section>
  );
}

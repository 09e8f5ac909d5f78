// The STOMP/MQTT panel's texts: subscriptions, where saved messages go, why Connect is off.
import { describe, expect, it } from "vitest";
import { brokerSubscriptions, brokerSummary, brokerTarget, isBroker, savedSubs, subscriptionCounts, topicMatches } from "./brokers";
import type { ProtoEventDto, SavedMessageDto } from "../ipc";

const msg = (m: Partial<SavedMessageDto>): SavedMessageDto => ({ name: "m", kind: "text", body: "", ...m });

describe("brokers", () => {
  it("knows STOMP and MQTT requests", () => {
    expect(isBroker("stomp") && isBroker("mqtt")).toBe(true);
    expect(isBroker("websocket") || isBroker("socketio")).toBe(false);
  });

  it("lists subscriptions and where saved messages go", () => {
    expect(brokerSubscriptions("stomp", { stomp: { subscriptions: [{ destination: "/topic/demo", ack: "client" }] } }))
      .toEqual(["/topic/demo (ack client)"]);
    expect(brokerSubscriptions("mqtt", { mqtt: { subscriptions: [{ filter: "demo/+/temp", qos: 2 }] } }))
      .toEqual(["demo/+/temp (QoS 2)"]);
    expect(brokerSubscriptions("mqtt", {})).toEqual([]);
    expect(brokerTarget("stomp", msg({ destination: "/topic/demo", headers: ["content-type:text/plain"] })))
      .toBe("/topic/demo · content-type:text/plain");
    expect(brokerTarget("mqtt", msg({ topic: "a/b", qos: 1, retain: true }))).toBe("a/b · QoS 1 · retained");
  });

  const ev = (e: Partial<ProtoEventDto>): ProtoEventDto => ({
    t_ms: 0, kind: "packet", dir: "in", namespace: "", name: "", id: null, data: "", terminal: false, ...e,
  });

  it("matches MQTT topic filters as a broker does", () => {
    expect(topicMatches("demo/+/temp", "demo/kitchen/temp")).toBe(true);
    expect(topicMatches("demo/+/temp", "demo/kitchen/hum")).toBe(false);
    expect(topicMatches("demo/#", "demo/a/b/c")).toBe(true);
    expect(topicMatches("demo/#", "demo")).toBe(true);
    expect(topicMatches("#", "$SYS/x")).toBe(false);
    expect(topicMatches("a/b", "a/b/c")).toBe(false);
  });

  it("counts messages received per subscription", () => {
    const mqtt = savedSubs("mqtt", { mqtt: { subscriptions: [{ filter: "demo/+/temp", qos: 2 }] } });
    expect(mqtt).toEqual([{ key: "demo/+/temp", target: "demo/+/temp", mode: "2" }]);
    const subs = [...mqtt, { key: "demo/#", target: "demo/#", mode: "0" }];
    const counts = subscriptionCounts("mqtt", subs, [
      ev({ name: "publish", namespace: "demo/kitchen/temp" }),
      ev({ name: "publish", namespace: "demo/attic/hum" }),
      ev({ name: "publish", namespace: "demo/kitchen/temp", dir: "out" }),
      ev({ name: "suback" }),
    ]);
    expect(counts.get("demo/+/temp")).toBe(1);
    expect(counts.get("demo/#")).toBe(2);
    // A subscription added during the session counts only what came after it.
    const later = subscriptionCounts("mqtt", [{ key: "demo/#", target: "demo/#", mode: "0", since: 5 }],
      [ev({ name: "publish", namespace: "demo/a", t_ms: 4 }), ev({ name: "publish", namespace: "demo/a", t_ms: 6 })]);
    expect(later.get("demo/#")).toBe(1);
    const stomp = savedSubs("stomp", { stomp: { subscriptions: [{ destination: "/topic/demo", ack: "client" }, { destination: "/q", id: "mine" }] } });
    expect(stomp.map((s) => s.key)).toEqual(["sub-0", "mine"]);
    const sc = subscriptionCounts("stomp", stomp, [
      ev({ kind: "frame", name: "MESSAGE", id: "sub-0" }),
      ev({ kind: "frame", name: "MESSAGE", id: "sub-0" }),
      ev({ kind: "frame", name: "SEND", dir: "out", id: null }),
    ]);
    expect(sc.get("sub-0")).toBe(2);
    expect(sc.get("mine")).toBe(0);
  });

  it("sums a decoded frame or packet up in one line", () => {
    expect(brokerSummary(ev({ kind: "frame", name: "MESSAGE", namespace: "/topic/demo", id: "sub-0", data: '{"body":"hi"}' })))
      .toBe("MESSAGE /topic/demo [sub-0] hi");
    expect(brokerSummary(ev({ name: "publish", namespace: "a/b", id: "3", data: '{"qos":1,"retain":true,"payload":"{\\"c\\":1}"}' })))
      .toBe('PUBLISH a/b QoS 1 retained {"c":1} #3');
    expect(brokerSummary(ev({ name: "connack", data: '{"reason":"bad user name or password"}' }))).toBe("CONNACK bad user name or password");
    expect(brokerSummary(ev({ kind: "protocol_error", name: "stomp.refused", data: "the broker refused" }))).toBe("stomp.refused: the broker refused");
  });
});

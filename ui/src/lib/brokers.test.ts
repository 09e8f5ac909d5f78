// The STOMP/MQTT panel's texts: subscriptions, where saved messages go, why Connect is off.
import { describe, expect, it } from "vitest";
import { brokerConnectTitle, brokerSubscriptions, brokerTarget, isBroker } from "./brokers";
import type { SavedMessageDto } from "../ipc";

const msg = (m: Partial<SavedMessageDto>): SavedMessageDto => ({ name: "m", kind: "text", body: "", ...m });

describe("brokers", () => {
  it("knows STOMP and MQTT requests and says why Connect is off", () => {
    expect(isBroker("stomp") && isBroker("mqtt")).toBe(true);
    expect(isBroker("websocket") || isBroker("socketio")).toBe(false);
    expect(brokerConnectTitle("mqtt")).toContain("sockpit run");
    expect(brokerConnectTitle("mqtt")).toContain("sockpit mqtt");
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
});

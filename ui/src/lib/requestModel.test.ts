// The request editor's mapping onto the store model's Auth and Settings JSON and ConnectArgs.
import { describe, expect, it } from "vitest";
import { AUTH_TYPES, authFromModel, authToModel, blankAuth, blankSettings, blankSpec, connectArgs, settingsFromModel, settingsToModel } from "./requestModel";

describe("auth mapping", () => {
  it("sends only the fields of the chosen pattern", () => {
    const f = { ...blankAuth(), type: "bearer" as const, token: "{{t}}", username: "left over" };
    expect(authToModel(f)).toEqual({ type: "bearer", token: "{{t}}" });
    expect(authToModel({ ...blankAuth(), type: "api_key", name: "X-Key", value: "v", location: "query" }))
      .toEqual({ type: "api_key", name: "X-Key", value: "v", in: "query" });
    expect(authToModel(blankAuth())).toEqual({ type: "none" });
  });

  it("round-trips every pattern through the model JSON", () => {
    for (const [type] of AUTH_TYPES) {
      const f = { ...blankAuth(), type, token: "t", username: "u", password: "p", name: "n", value: "v", message: "m", ack: "ok", url: "http://x", tokenUrl: "http://t", clientId: "c", clientSecret: "s", cert: "c.pem", key: "k.pem" };
      const m = authToModel(f);
      expect(m.type).toBe(type);
      expect(authToModel(authFromModel(m))).toEqual(m);
    }
  });

  it("builds a ticket with its extraction and first message", () => {
    const m = authToModel({ ...blankAuth(), type: "ticket", url: "http://h/api/ws-ticket", extractKind: "header", extract: "X-Ticket", into: "message", message: "{{ticket}}", ack: "ok" });
    expect(m).toMatchObject({ type: "ticket", extract: { header: "X-Ticket" }, into: "message", first_message: { message: "{{ticket}}", ack: "ok" } });
  });

  it("falls back to none for an unknown shape", () => {
    expect(authFromModel({ type: "kerberos" }).type).toBe("none");
  });
});

describe("settings mapping", () => {
  it("leaves defaults out and groups sections", () => {
    expect(settingsToModel(blankSettings())).toEqual({});
    const m = settingsToModel({ ...blankSettings(), handshakeTimeoutMs: "1500", pingIntervalMs: "1000", deflate: false, maxMessageSize: "1024", heartbeatMessage: "ping" });
    expect(m).toEqual({ handshake_timeout_ms: 1500, ping: { interval_ms: 1000, timeout_ms: 10000 }, deflate: false, max_message_size: 1024 });
  });

  it("keeps fields the tab does not edit and round-trips", () => {
    const stored = { timeout_ms: 5000, reconnect: { base_ms: 100, max_ms: 2000, max_retries: 3 }, heartbeat: { interval_ms: 10, message: "hb", timeout_ms: 20 } };
    const back = settingsToModel(settingsFromModel(stored), stored);
    expect(back).toEqual(stored);
  });

  it("keeps a STOMP or MQTT request's own settings when the tab edits another field", () => {
    const stored = { stomp: { heartbeat: "1000,1000", subscriptions: [{ destination: "/topic/demo", ack: "client" }] },
      mqtt: { subscriptions: [{ filter: "demo/+/temp", qos: 2 }] } };
    const back = settingsToModel({ ...settingsFromModel(stored), handshakeTimeoutMs: "1500" }, stored);
    expect(back).toEqual({ ...stored, handshake_timeout_ms: 1500 });
  });

  it("ignores text that is not a number", () => {
    expect(settingsToModel({ ...blankSettings(), handshakeTimeoutMs: "abc" })).toEqual({});
  });
});

describe("connectArgs", () => {
  it("carries the spec, the collection and the stored id", () => {
    const spec = blankSpec(" ws://{{host}}/echo ");
    const a = connectArgs(spec, { reconnect: true, previous: 3, collection: 7, requestId: 9 });
    expect(a.url).toBe("ws://{{host}}/echo");
    expect(a.spec).toBe(spec);
    expect(a.collection).toBe(7);
    expect(a.request_id).toBe(9);
    expect(connectArgs(spec, { reconnect: false, previous: null }).collection).toBeUndefined();
  });
});

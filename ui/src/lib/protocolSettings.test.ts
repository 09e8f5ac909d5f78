// Tests for the Socket.IO and GraphQL settings forms and their mapping onto the request model.
import { describe, expect, it } from "vitest";
import { graphqlFromModel, graphqlToModel, jsonHint, namespacesOf, protocolLabel, socketioFromModel, socketioToModel } from "./protocolSettings";

describe("Socket.IO settings", () => {
  it("round-trips every field and keeps the other settings", () => {
    const settings = { handshake_timeout_ms: 1500 };
    const f = { path: " /io/ ", namespaces: "/chat\n\n /news ", auth: '{"token":"{{t}}"}', eio: "3" as const, transport: "websocket" as const };
    const m = socketioToModel(f, settings);
    expect(m).toEqual({
      handshake_timeout_ms: 1500,
      socketio: { path: "/io/", namespaces: ["/chat", "/news"], auth: '{"token":"{{t}}"}', eio: 3, transport: "websocket" },
    });
    expect(socketioFromModel(m)).toEqual({ ...f, path: "/io/", namespaces: "/chat\n/news" });
    expect(namespacesOf(m)).toEqual(["/chat", "/news"]);
  });
  it("leaves the socketio part out when everything is default", () => {
    const m = socketioToModel({ path: "", namespaces: "", auth: "", eio: "auto", transport: "polling" }, { socketio: { eio: 4 } });
    expect(m).toEqual({});
    expect(socketioFromModel({})).toEqual({ path: "", namespaces: "", auth: "", eio: "auto", transport: "polling" });
  });
});

describe("GraphQL settings", () => {
  it("round-trips the subprotocol, init payload and ack timeout", () => {
    const m = graphqlToModel({ subprotocol: "graphql-ws", init: '{"token":"x"}', ackTimeoutMs: "2500" }, {});
    expect(m).toEqual({ graphql: { subprotocol: "graphql-ws", init: '{"token":"x"}', ack_timeout_ms: 2500 } });
    expect(graphqlFromModel(m)).toEqual({ subprotocol: "graphql-ws", init: '{"token":"x"}', ackTimeoutMs: "2500" });
    expect(graphqlToModel({ subprotocol: "auto", init: " ", ackTimeoutMs: "x" }, m)).toEqual({});
  });
});

describe("hints", () => {
  it("accepts JSON with variables and names what is wrong otherwise", () => {
    expect(jsonHint('{"token": "{{t}}", "n": {{n}}}')).toBeNull();
    expect(jsonHint("")).toBeNull();
    expect(jsonHint("{token: 1}")).toMatch(/^Not JSON/);
  });
  it("labels protocols", () => {
    expect(protocolLabel("socketio")).toBe("Socket.IO");
    expect(protocolLabel("nope")).toBe("WebSocket");
  });
});

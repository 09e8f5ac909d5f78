// The copied texts: a message as text or hex, the upgrade report as the HTTP exchange.
import { describe, expect, it } from "vitest";
import { COPY_AS, copyAsLabel, messageText, upgradeReportText } from "./copy";

describe("copy", () => {
  it("copies a message's text, else its hex", () => {
    expect(messageText({ text: "hello", hex: null })).toBe("hello");
    expect(messageText({ text: null, hex: "de ad be ef" })).toBe("de ad be ef");
  });

  it("writes the upgrade report as the HTTP exchange", () => {
    const text = upgradeReportText({
      url: "ws://h/echo", request_line: "GET /echo HTTP/1.1", request_headers: [["Host", "h"]], status: 101,
      response_headers: [["Upgrade", "websocket"]], protocol: null, extensions: null, elapsed_ms: 1.5,
    });
    expect(text).toBe("GET /echo HTTP/1.1\nHost: h\n\nHTTP/1.1 101\nUpgrade: websocket\n");
  });

  it("offers the four flavours, sockpit first", () => {
    expect(COPY_AS.map((c) => c.flavour)).toEqual(["sockpit", "websocat", "wscat", "curl"]);
  });

  it("names the sockpit line after a STOMP or MQTT request's command", () => {
    const sockpit = COPY_AS[0];
    expect(copyAsLabel(sockpit, "websocket")).toBe("Copy as sockpit connect");
    expect(copyAsLabel(sockpit, "stomp")).toBe("Copy as sockpit stomp");
    expect(copyAsLabel(sockpit, "mqtt")).toBe("Copy as sockpit mqtt");
    expect(copyAsLabel(COPY_AS[1], "mqtt")).toBe("Copy as websocat");
  });
});

// Variable highlighting and the unknown-variable check made before connecting.
import { describe, expect, it } from "vitest";
import { segments, unknownMessage, unknownVariables, variablesIn } from "./variables";
import { blankSpec } from "./requestModel";

describe("variables", () => {
  it("splits text into plain and variable segments, flagging unknown names", () => {
    const s = segments("ws://{{host}}/x?t={{ token }}&u={{$uuid}}", new Set(["host"]));
    expect(s.map((x) => x.text)).toEqual(["ws://", "{{host}}", "/x?t=", "{{ token }}", "&u=", "{{$uuid}}"]);
    expect(s.filter((x) => x.unknown).map((x) => x.variable)).toEqual(["token"]);
  });

  it("keeps an unclosed {{ as text", () => {
    expect(segments("ws://{{host", new Set())).toEqual([{ text: "ws://{{host", variable: null, unknown: false }]);
    expect(variablesIn("a {{b}} c {{d")).toEqual(["b"]);
  });

  it("finds unknown variables in the URL, enabled headers and auth, not in disabled rows", () => {
    const spec = blankSpec("ws://{{host}}/echo");
    spec.headers = [
      { name: "X-A", value: "{{a}}", enabled: true },
      { name: "X-B", value: "{{b}}", enabled: false },
    ];
    spec.auth = { type: "bearer", token: "{{tok}}" };
    expect(unknownVariables(spec, new Set(["host"]))).toEqual(["a", "tok"]);
    expect(unknownVariables(spec, new Set(["host", "a", "tok"]))).toEqual([]);
    expect(unknownMessage(["a"])).toContain("Unknown variable {{a}}");
  });
});

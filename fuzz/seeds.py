#!/usr/bin/env python3
"""Writes the checked-in seed corpora, fuzz/corpus/<target>/, from the repository's test vectors
and fixtures (each seed names its source). Rerun after changing a target's input layout; the
files it writes are small on purpose: libFuzzer grows its own corpus in a scratch directory."""
import json
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fuzz", "corpus")


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def fixture(*path):
    with open(os.path.join(ROOT, *path), "rb") as f:
        return f.read()


# ws_frame: RFC 6455 §5.7 examples (as in ws/wire/frame.rs tests) and the three length forms.
put("ws_frame", "rfc-masked-hello", bytes([0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58]))
put("ws_frame", "rfc-unmasked-hello", b"\x81\x05Hello")
put("ws_frame", "rfc-ping", b"\x89\x05Hello")
put("ws_frame", "len16-binary", b"\x82\x7e\x01\x00" + bytes(16))
put("ws_frame", "len64-rsv1", b"\xc2\x7f\x00\x00\x00\x00\x00\x01\x00\x00")
put("ws_frame", "close-1000", b"\x88\x02\x03\xe8")


# deflate: [flags][limit u24][records: kind, u16 len, bytes]; RFC 7692 §7.2.3 "Hello" vectors.
def rec(kind, payload):
    return bytes([kind]) + struct.pack("<H", len(payload)) + payload


HELLO = bytes([0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00])
limit = struct.pack("<I", 1000)[:3]
put("deflate", "rfc7692-hello", b"\x0e" + limit + rec(3, HELLO))
put("deflate", "rfc7692-hello-twice-shared-window",
    b"\x0e" + limit + rec(3, HELLO) + rec(3, bytes([0xF2, 0x00, 0x11, 0x00, 0x00])))
put("deflate", "rfc7692-fragmented", b"\x0e" + limit + rec(1, HELLO[:3]) + rec(3, HELLO[3:]))
put("deflate", "rfc7692-no-compression-block",
    b"\x0f" + limit + rec(3, bytes([0x00, 0x05, 0x00, 0xFA, 0xFF]) + b"Hello" + b"\x00"))
put("deflate", "our-messages", b"\x00" + limit + rec(0, b"Hello, ") + rec(2, b"world") + rec(2, b"a" * 300))


# sse: [max][n][n chunk lengths][stream]; streams from sse/vectors.rs.
def sse(max_size, cuts, stream):
    return bytes([max_size, len(cuts)]) + bytes(cuts) + stream


put("sse", "parsing", sse(0, [3, 1, 7], b"data: hello\n\ndata:  two\ndata: a:b\n\n\n\ndata: a\0b\n\n"))
put("sse", "events-ids", sse(0, [5], b"event: add\ndata: 1\n\nid: 1\ndata: a\n\nid\ndata: b\n\nid: 2\0x\n\n"))
put("sse", "retry-comments", sse(0, [2, 9], b"retry: 3000\ndata: x\n\n: note\nretry: 30a\ndata\n\n"))
put("sse", "bom-crlf", sse(0, [1], b"\xef\xbb\xbfdata: a\r\n\r\ndata: b\rdata: c\r\r"))
put("sse", "event-too-large", sse(16, [4], b"data: short\n\ndata: this line is much too long\n\n"))


# proto_raw and proto_schema: a demo Envelope (collections/protos/sockpit_demo.proto) by hand.
def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append(v & 0x7F | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def field(n, wire, payload):
    tag = varint(n << 3 | wire)
    if wire == 2:
        return tag + varint(len(payload)) + payload
    return tag + payload


trade = field(1, 2, b"BTC") + field(2, 0, varint(1)) + field(3, 1, struct.pack("<d", 101.5)) + field(4, 0, varint(5))
chat = field(1, 2, b"ann") + field(2, 2, b"hi @bob") + field(3, 2, b"bob")
stamp = field(1, 0, varint(1_700_000_000)) + field(2, 0, varint(500))
envelope = (field(1, 0, varint(7)) + field(2, 2, stamp) + field(3, 2, field(1, 2, b"k") + field(2, 2, b"v"))
            + field(4, 2, b"demo") + field(5, 2, field(1, 2, b"host") + field(2, 0, varint(42))))
# proto_schema's first byte picks the type (sorted full names; 2 is Envelope, 0x80 adds detection).
put("proto_schema", "envelope-trade", b"\x02" + envelope + field(10, 2, trade))
put("proto_schema", "envelope-chat-detect", b"\x82" + envelope + field(12, 2, chat))
put("proto_schema", "envelope-heartbeat", b"\x02" + field(13, 2, field(1, 0, varint(2**64 - 1))))
put("proto_schema", "timestamp", b"\x00" + stamp)
put("proto_schema", "trade", b"\x06" + trade)
put("proto_raw", "envelope", b"\x0a" + envelope + field(10, 2, trade))
put("proto_raw", "group-fixed32", field(1, 3, field(2, 5, struct.pack("<I", 7))) + field(1, 4, b"") + field(3, 1, bytes(8)))
put("proto_raw", "nested-chat", field(12, 2, chat) + field(99, 0, varint(2**63)))


# import: [format|ext<<3][file]; tests/fixtures/import/.
FMT = {"auto": 0, "sockpit": 1, "insomnia": 2, "yaak": 3, "bruno": 4, "kreya": 5, "har": 6, "asyncapi": 7}
EXT = {"json": 0, "yaml": 1, "yml": 2, "bru": 3, "har": 4, "krop": 5}
for name, fmt, ext in [
    ("insomnia-v4.json", "auto", "json"),
    ("insomnia-v5.yaml", "auto", "yaml"),
    ("yaak.json", "auto", "json"),
    ("chrome.har", "auto", "har"),
    ("asyncapi-2.6.yaml", "asyncapi", "yaml"),
    ("asyncapi-3.0.json", "auto", "json"),
    ("bruno-opencollection.yml", "auto", "yml"),
    ("bruno/echo.bru", "bruno", "bru"),
    ("kreya/Echo.krop", "kreya", "krop"),
]:
    put("import", name.replace("/", "-"), bytes([FMT[fmt] | EXT[ext] << 3]) + fixture("tests", "fixtures", "import", name))


# share: collections/proto-demo.sockpit.json, and the demo collection cut to its first requests.
proto_demo = fixture("collections", "proto-demo.sockpit.json")
put("share", "proto-demo.sockpit.json", proto_demo)
put("import", "proto-demo.sockpit.json", bytes([FMT["auto"]]) + proto_demo)
demo = json.loads(fixture("collections", "demo.sockpit.json"))
demo["items"] = demo["items"][:2]
for folder in demo["items"]:
    folder["items"] = folder["items"][:2]
put("share", "demo-cut.sockpit.json", json.dumps(demo, indent=2))


# template: [name=value lines, layers split by "--"] "==" text; cases of template.rs tests.
put("template", "layers", "host=example.com\nport=8080\n--\nhost=other\ntoken=abc\n==\nws://{{host}}:{{ port }}/x?t={{token}}")
put("template", "nested", "base=ws://{{host}}\nhost=h\n==\n{{base}}/chat")
put("template", "cycle", "a={{b}}\nb={{a}}\n==\n{{a}}")
put("template", "dynamic-unclosed", "==\n{{$uuid}} {{$timestamp}} {{$isoTimestamp}} {{$randomInt}} {{x")
put("template", "empty-and-undefined", "empty\n==\n[{{empty}}] {{missing}}")


# socketio: packets of protocol/socketio/tests.rs.
put("socketio", "polling-eio4", '0{"sid":"a","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}\x1e40\x1e42["msg",1]')
put("socketio", "polling-eio3", '12:0{"sid":"a"}2:40')
put("socketio", "connect-query", "0/admin?token=1,")
put("socketio", "ack", "3/chat,12[]")
put("socketio", "binary-event", '51-/chat,7["up",{"_placeholder":true,"num":0}]')
put("socketio", "event-b64", '2["bin",{"_binary_b64":"AAEC"}]')


# graphql: server messages of protocol/graphql/tests.rs (both protocols are tried on each).
put("graphql", "ack", '{"type":"connection_ack"}')
put("graphql", "next", '{"id":"1","type":"next","payload":{"data":{"count":1}}}')
put("graphql", "next-errors", '{"id":"2","type":"next","payload":{"data":null,"errors":[{"message":"boom"}]}}')
put("graphql", "error", '{"id":"3","type":"error","payload":[{"message":"bad"}]}')
put("graphql", "legacy-data", '{"id":"1","type":"data","payload":{"data":{"hello":"hi"}}}')
put("graphql", "legacy-connection-error", '{"type":"connection_error","payload":{"message":"bad token"}}')
put("graphql", "ping", '{"type":"ping","payload":{"n":1}}')


# stomp: [version][frames]; frames of protocol/stomp/tests.rs (0: 1.2, 1: 1.1, 2: 1.0).
put("stomp", "v12-escapes", b"\x00MESSAGE\na\\cb:x\\ny\\\\z\\c\\r\n\n\x00\nCONNECTED\nserver:a\\cb\n\n\x00")
put("stomp", "v12-content-length", b"\x00MESSAGE\ncontent-length:5\ndestination:/q\n\na\x00b\x00c\x00\r\n\n")
put("stomp", "v11-message", b"\x01MESSAGE\nsubscription:0\nmessage-id:1\n\nhello\x00")
put("stomp", "v10-receipt-error", b"\x02RECEIPT\nreceipt-id:7\n\n\x00ERROR\nmessage:bad\n\nwhy\x00")
put("stomp", "bad-frames", b"\x00MESSAGE\nnocolon\n\nx\x00MESSAGE\ncontent-length:1\n\nabc\x00NEXT")


# mqtt: [version bit 0 (0: 3.1.1, 1: 5), tight bound bit 1][packets], as in protocol/mqtt/tests.rs.
def pkt(first, body):
    return bytes([first]) + varint(len(body)) + body


def s(b):
    return struct.pack(">H", len(b)) + b


put("mqtt", "v311-connect-connack", b"\x00" + pkt(0x10, s(b"MQTT") + b"\x04\x02\x00\x3c" + s(b"cli")) + pkt(0x20, b"\x00\x00"))
put("mqtt", "v311-publish-qos1-suback", b"\x00" + pkt(0x32, s(b"a/b") + b"\x00\x01hi") + pkt(0x90, b"\x00\x01\x00") + pkt(0xD0, b""))
put("mqtt", "v5-connack-publish", b"\x01" + pkt(0x20, b"\x00\x00\x03\x21\x00\x0a") + pkt(0x30, s(b"a/b") + b"\x00hi"))
put("mqtt", "v5-subscribe-unsuback", b"\x01" + pkt(0x82, b"\x00\x02\x00" + s(b"x/#") + b"\x01") + pkt(0xB0, b"\x00\x02\x00\x11"))
put("mqtt", "v5-disconnect-props", b"\x01" + pkt(0xE0, b"\x8e\x05\x1f\x00\x02ok"))
print("seeds written under", OUT, file=sys.stderr)

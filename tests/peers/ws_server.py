"""A WebSocket test peer built on Python's `websockets` (asyncio). Prints its port on the first line.

Options: --deflate turns permessage-deflate on (websockets' default settings).
Paths: /echo (echo; selects a subprotocol from chat/superchat in the client's order),
/headers (first message: JSON of the request headers), /close?code=&reason= (closes at once),
/flood?n=&size= (n text messages, then 1000),
/ping (sends a ping with payload b"py-ping", then echoes),
/pingpong?n= (n JSON pings {"type":"ping","id":i}, each waiting for {"type":"pong","id":i}; then
{"type":"done","pongs":n} and 1000, or 1008 naming the first wrong answer),
/session (sends {"type":"welcome","session":S}, answers {"type":"join","session":S} with
{"type":"joined","ok":true|false}, then echoes),
/record-close?file=PATH (echoes; when the connection ends, writes "CODE REASON" of the close frame
it received to PATH, or "none" when none came).
"""
import asyncio
import json
import os
import secrets
import sys
from urllib.parse import parse_qs, urlparse

from websockets.asyncio.server import serve


def select_subprotocol(connection, subprotocols):
    for p in subprotocols:
        if p in ("chat", "superchat"):
            return p
    return None


async def handler(ws):
    url = urlparse(ws.request.path)
    q = {k: v[0] for k, v in parse_qs(url.query).items()}
    if url.path == "/headers":
        await ws.send(json.dumps({k.lower(): v for k, v in ws.request.headers.raw_items()}))
    elif url.path == "/close":
        await ws.close(int(q.get("code", "1000")), q.get("reason", ""))
        return
    elif url.path == "/flood":
        payload = "x" * int(q.get("size", "32"))
        for _ in range(int(q.get("n", "1000"))):
            await ws.send(payload)
        await ws.close(1000, "flood done")
        return
    elif url.path == "/ping":
        await ws.ping(b"py-ping")
    elif url.path == "/pingpong":
        n = int(q.get("n", "10"))
        for i in range(n):
            await ws.send(json.dumps({"type": "ping", "id": i}))
            answer = json.loads(await ws.recv())
            if answer != {"type": "pong", "id": i}:
                await ws.close(1008, f"ping {i} answered with {answer}"[:120])
                return
        await ws.send(json.dumps({"type": "done", "pongs": n}))
        await ws.close(1000, "pingpong done")
        return
    elif url.path == "/record-close":
        try:
            async for message in ws:
                await ws.send(message)
        finally:
            rcvd = ws.protocol.close_rcvd
            text = f"{rcvd.code} {rcvd.reason}" if rcvd else "none"
            tmp = q["file"] + ".tmp"
            with open(tmp, "w") as f:
                f.write(text)
            os.replace(tmp, q["file"])
        return
    elif url.path == "/session":
        session = secrets.token_hex(8)
        await ws.send(json.dumps({"type": "welcome", "session": session}))
        join = json.loads(await ws.recv())
        ok = join.get("type") == "join" and join.get("session") == session
        await ws.send(json.dumps({"type": "joined", "ok": ok}))
    async for message in ws:
        await ws.send(message)


async def main():
    compression = "deflate" if "--deflate" in sys.argv else None
    async with serve(handler, "127.0.0.1", 0, max_size=None, compression=compression,
                     select_subprotocol=select_subprotocol, ping_interval=None) as server:
        port = server.sockets[0].getsockname()[1]
        print(port, flush=True)
        await asyncio.get_running_loop().create_future()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)

"""An independent auth-protected WebSocket peer (Python `websockets`). Prints its port first.

Token: py-secret. Paths:
/query?token=   401 at the handshake without the right token; then greets {"via":"query"} and echoes.
/first-message  expects {"type":"auth","token":"py-secret"} within 5 s and answers {"type":"auth_ok"};
                closes 4001 'Invalid credentials' on a bad token, 4002 'Authentication timeout' on none.
"""
import asyncio
import http
import json
import sys
from urllib.parse import parse_qs, urlparse

from websockets.asyncio.server import serve

TOKEN = "py-secret"


def process_request(connection, request):
    url = urlparse(request.path)
    if url.path == "/query":
        q = parse_qs(url.query)
        if q.get("token", [""])[0] != TOKEN:
            return connection.respond(http.HTTPStatus.UNAUTHORIZED, "bad or missing token\n")
    return None


async def handler(ws):
    path = urlparse(ws.request.path).path
    if path == "/query":
        await ws.send(json.dumps({"authenticated": True, "via": "query"}))
    elif path == "/first-message":
        try:
            first = await asyncio.wait_for(ws.recv(), 5)
        except asyncio.TimeoutError:
            await ws.close(4002, "Authentication timeout")
            return
        try:
            msg = json.loads(first)
        except (ValueError, TypeError):
            msg = {}
        if not isinstance(msg, dict) or msg.get("type") != "auth" or msg.get("token") != TOKEN:
            await ws.close(4001, "Invalid credentials")
            return
        await ws.send(json.dumps({"type": "auth_ok"}, separators=(",", ":")))
    async for message in ws:
        await ws.send(message)


async def main():
    async with serve(handler, "127.0.0.1", 0, process_request=process_request,
                     ping_interval=None) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.get_running_loop().create_future()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)

"""SSE test peer: sse-starlette on uvicorn (it ends lines with CRLF). Prints its port first.

Routes:
  GET  /events?n=N   N events: ids 1..N (resumes after Last-Event-ID), type `tick` except every
                     third (unnamed), multi-line data on even ids, a comment first, `retry` on the
                     first event of each response.
  POST /chat         an AI-style stream: echoes the request, then one `token` event per word of
                     the JSON body's "prompt", then `data: [DONE]`.
"""

import json
import socket

import uvicorn
from sse_starlette.sse import EventSourceResponse, ServerSentEvent
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route


def item(i):
    data = f"line one of {i}\nline two of {i}" if i % 2 == 0 else json.dumps({"i": i})
    return {"id": str(i), "event": None if i % 3 == 0 else "tick", "data": data}


async def events(request):
    n = int(request.query_params.get("n", "5"))
    last = request.headers.get("last-event-id", "")
    start = int(last) + 1 if last.isdigit() else 1

    async def gen():
        yield ServerSentEvent(comment="sse-starlette peer")
        for i in range(start, n + 1):
            it = item(i)
            yield ServerSentEvent(
                it["data"],
                id=it["id"],
                event=it["event"],
                retry=1500 if i == start else None,
            )

    return EventSourceResponse(gen())


async def chat(request):
    if request.method != "POST":
        return PlainTextResponse("use POST", status_code=405)
    raw = await request.body()
    try:
        prompt = json.loads(raw).get("prompt", "")
    except ValueError:
        return PlainTextResponse("body is not JSON", status_code=400)

    async def gen():
        echo = {
            "method": request.method,
            "body": raw.decode("utf-8", "replace"),
            "content_type": request.headers.get("content-type"),
        }
        yield ServerSentEvent(json.dumps(echo), event="request")
        for word in prompt.split():
            yield ServerSentEvent(word, event="token")
        yield ServerSentEvent("[DONE]")

    return EventSourceResponse(gen())


app = Starlette(
    routes=[
        Route("/events", events),
        Route("/chat", chat, methods=["GET", "POST"]),
    ]
)

if __name__ == "__main__":
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    # Listening before the port is printed: early connections wait in the backlog for uvicorn.
    sock.listen(128)
    print(sock.getsockname()[1], flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    server.run(sockets=[sock])

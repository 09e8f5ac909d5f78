"""Socket.IO test peer: python-socketio (AsyncServer) on uvicorn. Prints its port first.

pingInterval/pingTimeout 1 s (python-engineio announces whole seconds: 0.3 would be 0). Namespace "/": "ack-me" acks its args; "echo" emits "echo" back;
"later" [ms] emits "later" ["done"] after ms. "/chat" needs auth {"token": "secret"} and emits
"joined" ["/chat"]; otherwise connect_error with {"reason": "bad token"}.
"""

import asyncio
import socket

import socketio
import uvicorn

sio = socketio.AsyncServer(async_mode="asgi", ping_interval=1, ping_timeout=1)
app = socketio.ASGIApp(sio)


@sio.on("ack-me")
async def ack_me(sid, *args):
    return args


@sio.on("echo")
async def echo(sid, *args):
    await sio.emit("echo", tuple(args), to=sid)


@sio.on("later")
async def later(sid, ms=1000):
    await asyncio.sleep(float(ms) / 1000)
    await sio.emit("later", "done", to=sid)


@sio.on("connect", namespace="/chat")
async def chat_connect(sid, environ, auth):
    if not auth or auth.get("token") != "secret":
        raise socketio.exceptions.ConnectionRefusedError({"reason": "bad token"})
    await sio.emit("joined", "/chat", to=sid, namespace="/chat")


async def main():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    print(sock.getsockname()[1], flush=True)
    config = uvicorn.Config(app, log_level="warning", ws="websockets-sansio")
    await uvicorn.Server(config).serve(sockets=[sock])


asyncio.run(main())

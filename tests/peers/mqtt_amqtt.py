"""The amqtt broker (MQTT 3.1.1) on a WebSocket listener. Prints its port on the first line.

Runs under tests/peers/.venv-amqtt (amqtt pins its own websockets). Anonymous clients are let in.
"""

import asyncio
import logging
import socket
import sys

from amqtt.broker import Broker


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def main() -> None:
    port = free_port()
    config = {
        "listeners": {"default": {"type": "ws", "bind": f"127.0.0.1:{port}"}},
        "plugins": {
            "amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True},
        },
    }
    broker = Broker(config)
    await broker.start()
    print(port, flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    asyncio.run(main())

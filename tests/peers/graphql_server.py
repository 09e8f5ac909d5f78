"""GraphQL over WebSocket test peer: Strawberry's ASGI app on uvicorn, speaking both
graphql-transport-ws and the legacy graphql-ws (subscriptions-transport-ws) protocols, at any path.
Prints its port first. Same schema as graphql_server.js: hello(name), add(a, b), count(to, delayMs).
"""

import asyncio
import socket
import typing

import strawberry
import uvicorn
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL


@strawberry.type
class Query:
    @strawberry.field
    def hello(self, name: typing.Optional[str] = None) -> str:
        return f"hello {name or 'world'}"


@strawberry.type
class Mutation:
    @strawberry.mutation
    def add(self, a: int, b: int) -> int:
        return a + b


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def count(
        self, to: int, delay_ms: typing.Optional[int] = None
    ) -> typing.AsyncGenerator[int, None]:
        for i in range(1, to + 1):
            await asyncio.sleep((delay_ms or 10) / 1000)
            yield i


schema = strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription)
app = GraphQL(
    schema,
    subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL],
)


async def main():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    # Listening before the port is printed, so the first connection is never refused.
    sock.listen(128)
    print(sock.getsockname()[1], flush=True)
    config = uvicorn.Config(app, log_level="warning", ws="websockets-sansio")
    await uvicorn.Server(config).serve(sockets=[sock])


asyncio.run(main())

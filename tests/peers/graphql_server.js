// A GraphQL-over-WebSocket peer for Sockpit's tests, on 127.0.0.1 (prints its port first):
//   node graphql_server.js transport|legacy [--token T] [--never-ack] [--no-subprotocol]
//        [--keepalive MS] [--ping-ms MS] [--drop-after N]
// `transport` serves graphql-transport-ws with the `graphql-ws` library; `legacy` serves the
// subscriptions-transport-ws protocol (subprotocol `graphql-ws`). Both at path /graphql.
//   --token T        connection_init's payload must carry {"token": T} (graphql-ws closes 4403,
//                    the legacy server sends connection_error)
//   --never-ack      never answer connection_init
//   --no-subprotocol select no subprotocol in the upgrade
//   --keepalive MS   graphql-ws: WebSocket pings every MS; legacy: `ka` every MS
//   --ping-ms MS     graphql-transport-ws: send a protocol `ping` every MS and close 4400 when the
//                    previous one got no `pong`
//   --drop-after N   on the first connection, drop the socket (no close frame) after N `count`s
const http = require('http');
const { buildSchema } = require('graphql');

const args = process.argv.slice(2);
const mode = args[0];
const opt = (name) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};
const flag = (name) => args.includes(name);
const token = opt('--token');
const keepalive = Number(opt('--keepalive') || 0);
const pingMs = Number(opt('--ping-ms') || 0);
const dropAfter = Number(opt('--drop-after') || 0);
let dropped = false;

const schema = buildSchema(`
  type Query { hello(name: String): String, boom: String }
  type Mutation { add(a: Int!, b: Int!): Int }
  type Subscription { count(to: Int!, delayMs: Int): Int }
`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rootValue = {
  hello: ({ name }) => `hello ${name || 'world'}`,
  boom: () => {
    throw new Error('boom: this field always fails');
  },
  add: ({ a, b }) => a + b,
  count: async function* ({ to, delayMs }, context) {
    for (let i = 1; i <= to; i++) {
      await sleep(delayMs ?? 10);
      if (dropAfter && !dropped && i > dropAfter) {
        dropped = true;
        context.socket.terminate();
        return;
      }
      yield { count: i };
    }
  },
};

const selectProtocol = (wanted) => (protocols) => {
  if (flag('--no-subprotocol')) return false;
  const list = Array.from(protocols);
  return list.includes(wanted) ? wanted : false;
};
const httpServer = http.createServer((req, res) => {
  res.writeHead(404);
  res.end();
});

if (mode === 'transport') {
  const { WebSocketServer } = require('ws');
  const { useServer } = require('graphql-ws/use/ws');
  const wss = new WebSocketServer({
    server: httpServer,
    path: '/graphql',
    handleProtocols: selectProtocol('graphql-transport-ws'),
  });
  useServer(
    {
      schema,
      roots: { query: rootValue, mutation: rootValue, subscription: rootValue },
      context: (ctx) => ({ socket: ctx.extra.socket }),
      onConnect: (ctx) => {
        if (flag('--never-ack')) return new Promise(() => {});
        if (token !== undefined && (ctx.connectionParams || {}).token !== token) return false;
        if (pingMs) startPings(ctx.extra.socket);
        return true;
      },
    },
    wss,
    keepalive || 12000,
  );
  // useServer installs its own subprotocol choice (graphql-transport-ws whatever the order).
  if (flag('--no-subprotocol')) wss.options.handleProtocols = () => false;
} else if (mode === 'legacy') {
  const { SubscriptionServer } = require('subscriptions-transport-ws');
  const { execute, subscribe } = require('graphql');
  SubscriptionServer.create(
    {
      schema,
      rootValue,
      execute,
      subscribe,
      keepAlive: keepalive || undefined,
      onConnect: (params, socket) => {
        if (flag('--never-ack')) return new Promise(() => {});
        if (token !== undefined && (params || {}).token !== token) throw new Error('bad token');
        return { socket };
      },
    },
    { server: httpServer, path: '/graphql', handleProtocols: selectProtocol('graphql-ws') },
  );
} else {
  console.error('usage: graphql_server.js transport|legacy [options]');
  process.exit(2);
}

// graphql-ws never pings at the protocol level by itself; a server may: this one does on request.
function startPings(socket) {
  let n = 0;
  let answered = true;
  socket.on('message', (data) => {
    try {
      const m = JSON.parse(String(data));
      if (m.type === 'pong' && m.payload && m.payload.n === n) answered = true;
    } catch (_) {}
  });
  const timer = setInterval(() => {
    if (!answered) {
      clearInterval(timer);
      socket.close(4400, `no pong for ping ${n}`);
      return;
    }
    answered = false;
    n += 1;
    socket.send(JSON.stringify({ type: 'ping', payload: { n } }));
  }, pingMs);
  socket.on('close', () => clearInterval(timer));
}

httpServer.listen(0, '127.0.0.1', () => {
  console.log(httpServer.address().port);
});

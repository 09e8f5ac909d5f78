// A flooding graphql-transport-ws server for tests/bench/graphql_bench.sh (prints its port first):
//   node graphql_flood_server.js N
// At /graphql (subprotocol graphql-transport-ws): connection_init gets connection_ack; every
// subscribe gets N `next` messages {"data":{"count":I}} as fast as the socket takes them, then
// `complete`. The messages are pre-framed bytes, built once per operation id and kept (see
// flood_frames.js `prebuilt`), so the server's own encoding never limits the clients it measures
// nor takes CPU from them: a timed run is one write of ready bytes.
'use strict';
const http = require('http');
const { WebSocketServer } = require('ws');
const { prebuilt, textFrame } = require('./flood_frames');

const n = Number(process.argv[2] || 100000);
const server = http.createServer((req, res) => {
  res.writeHead(404);
  res.end();
});
const wss = new WebSocketServer({
  server,
  path: '/graphql',
  handleProtocols: (protocols) => (protocols.has('graphql-transport-ws') ? 'graphql-transport-ws' : false),
});
wss.on('connection', (ws) => {
  ws.on('message', (data) => {
    let m;
    try {
      m = JSON.parse(String(data));
    } catch (_) {
      ws.close(4400, 'invalid JSON');
      return;
    }
    if (m.type === 'connection_init') ws.send(JSON.stringify({ type: 'connection_ack' }));
    else if (m.type === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
    else if (m.type === 'subscribe') {
      const id = JSON.stringify(m.id);
      const frames = prebuilt(id, n, (i) => `{"id":${id},"type":"next","payload":{"data":{"count":${i}}}}`);
      ws._socket.write(frames);
      ws._socket.write(textFrame(`{"id":${id},"type":"complete"}`));
    }
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));

// A flooding Socket.IO 4 server for tests/bench/socketio_bench.sh (prints its port first):
//   node socketio_flood_server.js N
// Each client that connects to namespace "/" (websocket transport) gets N events
// `tick {"n":I,"text":"hello sockpit"}` as fast as the socket takes them. The handshake, pings and
// namespace are the real socket.io server's; the events are pre-framed bytes, built once at start
// and kept (see flood_frames.js `prebuilt`), so every client reads the same bytes and a timed run
// costs the server one write of ready bytes: its own encoding never limits the clients it measures
// nor takes CPU from them.
'use strict';
const http = require('http');
const { Server } = require('socket.io');
const { prebuilt } = require('./flood_frames');

const n = Number(process.argv[2] || 100000);
const tick = (i) => `42["tick",{"n":${i},"text":"hello sockpit"}]`;
// Built before the port is printed, so no run waits for it.
prebuilt('tick', n, tick);
const server = http.createServer();
const io = new Server(server, { transports: ['websocket'] });
io.on('connection', (socket) => {
  const ws = socket.conn.transport.socket; // the `ws` WebSocket under Engine.IO
  ws._socket.write(prebuilt('tick', n, tick));
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));

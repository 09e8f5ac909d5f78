// A flooding Socket.IO 4 server for tests/bench/socketio_bench.sh (prints its port first):
//   node socketio_flood_server.js N
// Each client that connects to namespace "/" (websocket transport) gets N events
// `tick {"n":I,"text":"hello sockpit"}` as fast as the socket takes them. The handshake, pings and
// namespace are the real socket.io server's; the events are pre-framed bytes (see flood_frames.js).
'use strict';
const http = require('http');
const { Server } = require('socket.io');
const { flood } = require('./flood_frames');

const n = Number(process.argv[2] || 100000);
const server = http.createServer();
const io = new Server(server, { transports: ['websocket'] });
io.on('connection', (socket) => {
  const ws = socket.conn.transport.socket; // the `ws` WebSocket under Engine.IO
  flood(ws._socket, n, (i) => `42["tick",{"n":${i},"text":"hello sockpit"}]`, () => {});
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));

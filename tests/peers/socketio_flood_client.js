// The official client's side of tests/bench/socketio_bench.sh: socket.io-client 4 over websocket,
// counts `tick` events and exits 0 after N (printing the count), 1 on a connect error.
//   node socketio_flood_client.js URL N
'use strict';
const { io } = require('socket.io-client');

const [url, nArg] = process.argv.slice(2);
const n = Number(nArg);
let got = 0;
const socket = io(url, { transports: ['websocket'], reconnection: false });
socket.on('tick', () => {
  got += 1;
  if (got === n) {
    console.log(got);
    socket.close();
    process.exit(0);
  }
});
socket.on('connect_error', (e) => {
  console.error(`connect_error: ${e.message}`);
  process.exit(1);
});

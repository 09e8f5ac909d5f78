// A Socket.IO test peer: the real `socket.io` server, v4 (default) or v2 (`--v2`, the npm alias
// socket.io-v2). Prints its port on the first line. pingInterval/pingTimeout are 300 ms each, or
// MS each with `--ping MS`.
// Namespace "/": "ack-me" acks its args; "echo" emits "echo" back with the same args (binary
// stays binary); "bin" emits "bin" ["pic", <Buffer 01 02 03>]; "later" [ms] emits "later"
// ["done"] after ms of silence; "drop" kills the TCP connection (no close frame); "malformed"
// writes a broken Socket.IO packet, then emits "after" ["ok"].
// "ask" makes the server emit "question" ["q?"] asking for an ack, then emit "answered" with the
// ack's args. A connection whose URL query has greet=1 gets "hello" [socket id] on connect.
// "/chat" needs auth token "secret" (v4: the CONNECT auth payload; v2: the query) and emits
// "joined" ["/chat"] on connect; otherwise connect_error "not authorized" with data
// {"reason":"bad token"}. "/news" emits "headline" ["news"] on connect.
'use strict';
const http = require('http');

const v2 = process.argv.includes('--v2');
const server = http.createServer();
const pingAt = process.argv.indexOf('--ping');
const ping = pingAt > 0 ? Number(process.argv[pingAt + 1]) : 300;
const opts = { pingInterval: ping, pingTimeout: ping };
let io;
if (v2) {
  io = require('socket.io-v2')(server, opts);
} else {
  const { Server } = require('socket.io');
  io = new Server(server, opts);
}

function kill(socket) {
  const t = socket.conn.transport;
  if (t && t.socket && t.socket.terminate) t.socket.terminate();
  else socket.conn.close();
}

io.of('/').on('connection', (socket) => {
  if (socket.handshake.query.greet) socket.emit('hello', socket.id);
  socket.on('ack-me', (...args) => {
    const cb = typeof args[args.length - 1] === 'function' ? args.pop() : null;
    if (cb) cb(...args);
  });
  socket.on('echo', (...args) => {
    if (typeof args[args.length - 1] === 'function') args.pop();
    socket.emit('echo', ...args);
  });
  socket.on('ask', () => socket.emit('question', 'q?', (...answer) => socket.emit('answered', ...answer)));
  socket.on('bin', () => socket.emit('bin', 'pic', Buffer.from([1, 2, 3])));
  socket.on('later', (ms) => setTimeout(() => socket.emit('later', 'done'), Number(ms) || 1000));
  socket.on('drop', () => kill(socket));
  socket.on('malformed', () => {
    socket.conn.write('2["broken');
    setTimeout(() => socket.emit('after', 'ok'), 50);
  });
});

const chat = io.of('/chat');
chat.use((socket, next) => {
  const token = v2 ? socket.handshake.query.token : (socket.handshake.auth || {}).token;
  if (token === 'secret') return next();
  const err = new Error('not authorized');
  err.data = { reason: 'bad token' };
  next(err);
});
chat.on('connection', (socket) => socket.emit('joined', '/chat'));
io.of('/news').on('connection', (socket) => socket.emit('headline', 'news'));

server.listen(0, '127.0.0.1', () => console.log(server.address().port));

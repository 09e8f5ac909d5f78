// STOMP broker for Sockpit's tests: stomp-broker-js (npm, STOMP 1.1) over ws on 127.0.0.1.
// Usage: node stomp_server.js [--port P] [--heartbeat MS] [--kick-after MS]
// Prints the port on its first stdout line. --heartbeat MS is the broker's heart-beat setting
// (it expects the client's beats that often); --kick-after MS drops every client connection
// (no close frame) once, MS after the first client connected, to exercise reconnects.
const http = require('http');
const StompServer = require('stomp-broker-js');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const port = opt('--port', 0);
const heartbeat = opt('--heartbeat', 0);
const kickAfter = opt('--kick-after', 0);

const server = http.createServer();
const broker = new StompServer({ server, path: '/ws', heartbeat: [heartbeat, heartbeat] });
let kicked = false;
broker.socket.on('connection', () => {
  if (kickAfter > 0 && !kicked) {
    kicked = true;
    setTimeout(() => {
      for (const c of broker.socket.clients) c.terminate();
    }, kickAfter);
  }
});
server.listen(port, '127.0.0.1', () => {
  console.log(server.address().port);
});

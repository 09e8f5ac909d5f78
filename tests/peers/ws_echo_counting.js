// A Node `ws` echo server that keeps its own counts, so a load run's summary can be checked
// against what the server saw. Prints its port on the first line.
// Paths: any path echoes text and binary messages; /stats (not counted) answers with one JSON
// message {"connections":N,"open":N,"peak_open":N,"messages":N,"bytes":N,"closes":{"1000":N,...},
// "refused":N,"tagged":N} and closes (peak_open: most connections open at once; tagged: upgrades
// carrying an X-Load-Tag header). Options: --refuse-every N (answer every Nth upgrade with 503, counted as refused).
'use strict';
const http = require('http');
const { WebSocketServer } = require('ws');

const args = process.argv.slice(2);
const refuseEvery = args.includes('--refuse-every') ? Number(args[args.indexOf('--refuse-every') + 1]) : 0;

const stats = { connections: 0, open: 0, peak_open: 0, messages: 0, bytes: 0, closes: {}, refused: 0, tagged: 0 };
let upgrades = 0;

const server = http.createServer((req, res) => {
  res.writeHead(404);
  res.end();
});
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

server.on('upgrade', (req, socket, head) => {
  const path = new URL(req.url, 'http://localhost').pathname;
  if (path !== '/stats') {
    upgrades += 1;
    if (refuseEvery > 0 && upgrades % refuseEvery === 0) {
      stats.refused += 1;
      socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    if (path === '/stats') {
      ws.send(JSON.stringify(stats));
      ws.close(1000);
      return;
    }
    stats.connections += 1;
    stats.open += 1;
    stats.peak_open = Math.max(stats.peak_open, stats.open);
    if (req.headers['x-load-tag']) stats.tagged += 1;
    ws.on('message', (data, isBinary) => {
      stats.messages += 1;
      stats.bytes += data.length;
      ws.send(data, { binary: isBinary });
    });
    ws.on('close', (code) => {
      stats.open -= 1;
      stats.closes[code] = (stats.closes[code] || 0) + 1;
    });
  });
});

server.listen(0, '127.0.0.1', () => console.log(String(server.address().port)));
process.on('SIGTERM', () => {
  console.error(JSON.stringify(stats));
  process.exit(0);
});

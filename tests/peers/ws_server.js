// A WebSocket test peer built on Node's `ws`. Prints its port on the first line.
// Paths: /echo (echo; selects chat/superchat in the client's order), /headers (first message: JSON of
// the request headers), /close?code=&reason= (closes at once), /flood?n=&size= (n text messages, then
// 1000), /ping (sends a ping "node-ping", then echoes).
// Options: --deflate (perMessageDeflate on, every message compressed), --no-context-takeover (both
// directions), --window-bits N (server and client max window bits).
'use strict';
const { WebSocketServer } = require('ws');

const args = process.argv.slice(2);
const windowBits = args.includes('--window-bits') ? Number(args[args.indexOf('--window-bits') + 1]) : undefined;
const deflate = args.includes('--deflate')
  ? {
      threshold: 0,
      serverNoContextTakeover: args.includes('--no-context-takeover') || undefined,
      clientNoContextTakeover: args.includes('--no-context-takeover') || undefined,
      serverMaxWindowBits: windowBits,
      clientMaxWindowBits: windowBits,
    }
  : false;

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  perMessageDeflate: deflate,
  maxPayload: 256 * 1024 * 1024,
  handleProtocols: (protocols) => {
    for (const p of protocols) if (p === 'chat' || p === 'superchat') return p;
    return false;
  },
});

wss.on('listening', () => console.log(String(wss.address().port)));
wss.on('connection', (ws, req) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/headers') {
    ws.send(JSON.stringify(req.headers));
  } else if (url.pathname === '/close') {
    ws.close(Number(url.searchParams.get('code') || 1000), url.searchParams.get('reason') || '');
    return;
  } else if (url.pathname === '/flood') {
    const n = Number(url.searchParams.get('n') || 1000);
    const payload = 'x'.repeat(Number(url.searchParams.get('size') || 32));
    for (let i = 0; i < n; i++) ws.send(payload);
    ws.close(1000, 'flood done');
    return;
  } else if (url.pathname === '/ping') {
    ws.ping('node-ping');
  }
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
process.on('SIGTERM', () => process.exit(0));

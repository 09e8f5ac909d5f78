// SSE test peer: a plain Node `http` server (LF line ends). Prints its port on the first line.
//
// Routes:
//   GET  /events?n=N     N events like the Python peer's: ids 1..N (resumes after Last-Event-ID),
//                        type `tick` except every third, multi-line data on even ids, a comment,
//                        `retry` on the first event of each response
//   POST /chat           echoes the request as an event, one `token` event per word of the JSON
//                        body's "prompt", then `data: [DONE]`
//   GET  /wrong-type     200 with application/json
//   GET  /status?code=C  status C with a text body and X-Request-Id / Retry-After headers
//   GET  /endless        `data: xxxx...` that never ends its line (stops when the client goes)
//   GET  /silent         200 text/event-stream headers, then nothing, ever
//   GET  /drop-mid-event one event, then half of the next, then the socket is destroyed; 204 to
//                        a request with Last-Event-ID
'use strict';
const http = require('http');

const STREAM_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache',
  Connection: 'keep-alive',
};

function eventText(i, withRetry) {
  let s = `id: ${i}\n`;
  if (i % 3 !== 0) s += 'event: tick\n';
  if (withRetry) s += 'retry: 1500\n';
  const data = i % 2 === 0 ? `line one of ${i}\nline two of ${i}` : JSON.stringify({ i });
  for (const line of data.split('\n')) s += `data: ${line}\n`;
  return s + '\n';
}

function events(req, res, q) {
  const n = Number(q.get('n') || '5');
  const last = req.headers['last-event-id'] || '';
  const start = /^\d+$/.test(last) ? Number(last) + 1 : 1;
  res.writeHead(200, STREAM_HEADERS);
  res.write(': node http peer\n\n');
  for (let i = start; i <= n; i++) res.write(eventText(i, i === start));
  res.end();
}

function chat(req, res, body) {
  if (req.method !== 'POST') {
    res.writeHead(405, { 'Content-Type': 'text/plain' });
    res.end('use POST');
    return;
  }
  let prompt;
  try {
    prompt = String(JSON.parse(body).prompt || '');
  } catch (e) {
    res.writeHead(400, { 'Content-Type': 'text/plain' });
    res.end('body is not JSON');
    return;
  }
  res.writeHead(200, STREAM_HEADERS);
  const echo = { method: req.method, body, content_type: req.headers['content-type'] || null };
  res.write(`event: request\ndata: ${JSON.stringify(echo)}\n\n`);
  for (const word of prompt.split(/\s+/).filter(Boolean)) res.write(`event: token\ndata: ${word}\n\n`);
  res.end('data: [DONE]\n\n');
}

function endless(req, res) {
  res.writeHead(200, STREAM_HEADERS);
  res.write('data: ');
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let left = 4096; // at most 256 MiB, should the client never stop reading
  let gone = false;
  res.on('close', () => { gone = true; });
  const pump = () => {
    while (!gone && left > 0) {
      left--;
      if (!res.write(chunk)) return res.once('drain', pump);
    }
    if (!gone) res.end();
  };
  pump();
}

const server = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://127.0.0.1');
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    switch (u.pathname) {
      case '/events': return events(req, res, u.searchParams);
      case '/chat': return chat(req, res, body);
      case '/wrong-type':
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end('{"error":"this is not an event stream"}');
      case '/status': {
        const code = Number(u.searchParams.get('code') || '500');
        res.writeHead(code, { 'Content-Type': 'text/plain', 'X-Request-Id': 'req-42', 'Retry-After': '1' });
        return res.end(`backend says no (${code}): try again later`);
      }
      case '/endless': return endless(req, res);
      case '/silent':
        res.writeHead(200, STREAM_HEADERS);
        return res.flushHeaders();
      case '/drop-mid-event':
        if (req.headers['last-event-id']) {
          res.writeHead(204);
          return res.end();
        }
        res.writeHead(200, STREAM_HEADERS);
        res.write('id: 1\ndata: complete\n\n');
        res.write('id: 2\ndata: partial');
        return setTimeout(() => res.socket.destroy(), 50);
      default:
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        return res.end('no such route');
    }
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});

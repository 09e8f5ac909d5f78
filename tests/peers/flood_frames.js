// Pre-framed WebSocket text frames for the flood servers of tests/bench/{socketio,graphql}_bench.sh:
// the server writes ready-made bytes straight to the TCP socket, so its own encoding never limits
// the clients it measures.
'use strict';

// One unmasked text frame (server to client) carrying `text`.
function textFrame(text) {
  const payload = Buffer.from(text, 'utf8');
  const n = payload.length;
  let head;
  if (n < 126) {
    head = Buffer.from([0x81, n]);
  } else if (n < 65536) {
    head = Buffer.alloc(4);
    head[0] = 0x81;
    head[1] = 126;
    head.writeUInt16BE(n, 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = 0x81;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([head, payload]);
}

// The n frames text(1..n) as one buffer, built once per `key` and kept: a bench's timed runs then
// cost the server one write of ready bytes, not the building of n frames (which otherwise takes
// as much CPU as the client being measured, on the same cores).
const built = new Map();
function prebuilt(key, n, text, per = 4096) {
  let buf = built.get(key);
  if (!buf) {
    const chunks = [];
    for (let i = 1; i <= n; i += per) {
      const parts = [];
      const end = Math.min(n, i + per - 1);
      for (let j = i; j <= end; j++) parts.push(textFrame(text(j)));
      chunks.push(Buffer.concat(parts));
    }
    buf = Buffer.concat(chunks);
    built.set(key, buf);
  }
  return buf;
}

module.exports = { textFrame, prebuilt };

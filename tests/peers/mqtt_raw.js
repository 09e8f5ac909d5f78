// Raw MQTT-over-WebSocket peers on Node's `ws`, packets built and parsed by `mqtt-packet` (the
// MQTT.js codec). Prints its port on the first line. Paths:
//   /v5            a small MQTT 5 broker: CONNACK with properties (user "bad" is refused with 0x86 and
//                  a reason string), SUBSCRIBE with +/# matching and retained delivery, QoS 0/1/2 both
//                  ways, UNSUBSCRIBE, PINGREQ (not answered with ?noping=1), DISCONNECT; every packet
//                  it receives is logged as a JSON line on stderr when MQTT_RAW_LOG is set.
//   /overlong      CONNACK, then a PUBLISH whose remaining length runs over 4 bytes.
//   /cut           CONNACK, SUBACK, then half a PUBLISH and a close.
//   /flood?n=&size= (MQTT 3.1.1) CONNACK, SUBACK, then n QoS 0 publishes to flood/x, many per frame.
'use strict';
const { WebSocketServer } = require('ws');
const mqtt = require('mqtt-packet');

const retained = new Map();
const clients = new Set();

function matches(filter, topic) {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

function v5(ws, query) {
  const opts = { protocolVersion: 5 };
  const parser = mqtt.parser(opts);
  const c = { ws, subs: [], nextId: 1, pendingRel: new Map() };
  const send = (p) => ws.send(mqtt.generate(p, opts));
  c.deliver = (msg, subQos) => {
    const qos = Math.min(msg.qos, subQos);
    const p = { cmd: 'publish', topic: msg.topic, payload: msg.payload, qos, retain: !!msg.retain, dup: false,
      properties: msg.properties };
    if (qos > 0) p.messageId = c.nextId++;
    send(p);
  };
  const route = (msg) => {
    if (msg.retain) {
      if (msg.payload.length === 0) retained.delete(msg.topic);
      else retained.set(msg.topic, msg);
    }
    for (const other of clients) {
      for (const s of other.subs) {
        if (matches(s.topic, msg.topic)) {
          other.deliver({ ...msg, retain: false }, s.qos);
          break;
        }
      }
    }
  };
  clients.add(c);
  ws.on('close', () => clients.delete(c));
  parser.on('packet', (p) => {
    if (process.env.MQTT_RAW_LOG) console.error(JSON.stringify({ cmd: p.cmd, properties: p.properties, reasonCode: p.reasonCode, username: p.username, topic: p.topic, qos: p.qos }));
    switch (p.cmd) {
      case 'connect':
        if (p.username === 'bad') {
          send({ cmd: 'connack', sessionPresent: false, reasonCode: 0x86, properties: { reasonString: 'who are you' } });
          return;
        }
        send({ cmd: 'connack', sessionPresent: false, reasonCode: 0,
          properties: { sessionExpiryInterval: (p.properties && p.properties.sessionExpiryInterval) || 0,
            userProperties: (p.properties && p.properties.userProperties) || { peer: 'mqtt_raw' } } });
        return;
      case 'subscribe':
        c.subs.push(...p.subscriptions);
        send({ cmd: 'suback', messageId: p.messageId, granted: p.subscriptions.map((s) => s.qos) });
        for (const s of p.subscriptions) {
          for (const [topic, msg] of retained) if (matches(s.topic, topic)) c.deliver(msg, s.qos);
        }
        return;
      case 'unsubscribe':
        c.subs = c.subs.filter((s) => !p.unsubscriptions.includes(s.topic));
        send({ cmd: 'unsuback', messageId: p.messageId, granted: p.unsubscriptions.map(() => 0) });
        return;
      case 'publish':
        if (p.qos === 1) send({ cmd: 'puback', messageId: p.messageId, reasonCode: 0 });
        if (p.qos === 2) {
          send({ cmd: 'pubrec', messageId: p.messageId, reasonCode: 0 });
          c.pendingRel.set(p.messageId, p);
          return;
        }
        route(p);
        return;
      case 'pubrel': {
        const msg = c.pendingRel.get(p.messageId);
        c.pendingRel.delete(p.messageId);
        send({ cmd: 'pubcomp', messageId: p.messageId, reasonCode: 0 });
        if (msg) route(msg);
        return;
      }
      case 'pubrec':
        send({ cmd: 'pubrel', messageId: p.messageId, reasonCode: 0 });
        return;
      case 'pingreq':
        if (query.get('noping') !== '1') send({ cmd: 'pingresp' });
        return;
      case 'disconnect':
        ws.close(1000);
        return;
      default:
    }
  });
  parser.on('error', (e) => console.error('mqtt_raw: parse error', e.message));
  ws.on('message', (data) => parser.parse(data));
}

function v4(ws, path, query) {
  const opts = { protocolVersion: 4 };
  const parser = mqtt.parser(opts);
  const send = (p) => ws.send(mqtt.generate(p, opts));
  parser.on('packet', (p) => {
    if (p.cmd === 'connect') {
      send({ cmd: 'connack', sessionPresent: false, returnCode: 0 });
      if (path === '/overlong') ws.send(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00]));
    } else if (p.cmd === 'subscribe') {
      send({ cmd: 'suback', messageId: p.messageId, granted: p.subscriptions.map((s) => s.qos) });
      if (path === '/cut') {
        const whole = mqtt.generate({ cmd: 'publish', topic: 'cut/x', payload: Buffer.alloc(100, 'y'), qos: 0 }, opts);
        ws.send(whole.subarray(0, 20));
        setTimeout(() => ws.close(1000), 50);
      } else if (path === '/flood') {
        flood(ws, Number(query.get('n') || 1000), Number(query.get('size') || 32), opts);
      }
    } else if (p.cmd === 'pingreq') {
      send({ cmd: 'pingresp' });
    } else if (p.cmd === 'disconnect') {
      ws.close(1000);
    }
  });
  ws.on('message', (data) => parser.parse(data));
}

function flood(ws, n, size, opts) {
  const one = mqtt.generate({ cmd: 'publish', topic: 'flood/x', payload: Buffer.alloc(size, 'x'), qos: 0 }, opts);
  const perFrame = Math.max(1, Math.floor(65536 / one.length));
  const frame = Buffer.concat(Array(perFrame).fill(one));
  let left = n;
  const pump = () => {
    while (left > 0) {
      if (ws.readyState !== ws.OPEN) return;
      const k = Math.min(perFrame, left);
      left -= k;
      const data = k === perFrame ? frame : frame.subarray(0, k * one.length);
      if (ws.bufferedAmount > 4 << 20) {
        ws.send(data, () => pump());
        return;
      }
      ws.send(data);
    }
  };
  pump();
}

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  perMessageDeflate: false,
  handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false),
});
wss.on('connection', (ws, req) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/v5') v5(ws, url.searchParams);
  else v4(ws, url.pathname, url.searchParams);
});
wss.on('listening', () => console.log(wss.address().port));

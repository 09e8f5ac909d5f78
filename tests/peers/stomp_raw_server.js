// A hand-scripted STOMP server (Node `ws`) for the malformed cases no real broker sends.
// Usage: node stomp_raw_server.js MODE, MODE one of:
//   bad    - after SUBSCRIBE: a frame without its NUL, an unknown command, a frame split over two
//            messages, two frames in one binary message; bodies of the good ones: one, two, three.
//   silent - answers CONNECTED with heart-beat 200,200 and then never sends anything again.
// Prints the port on its first stdout line.
const { WebSocketServer } = require('ws');

const mode = process.argv[2] || 'bad';
const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  handleProtocols: (protocols) => protocols.values().next().value || false,
});
const msg = (dest, body) =>
  `MESSAGE\ndestination:${dest}\nsubscription:sub-0\nmessage-id:${body}\n\n${body}`;
wss.on('connection', (ws) => {
  ws.on('message', (data) => {
    const text = data.toString();
    if (text.startsWith('CONNECT')) {
      const hb = mode === 'silent' ? '200,200' : '0,0';
      ws.send(`CONNECTED\nversion:1.2\nheart-beat:${hb}\n\n\0`);
    } else if (text.startsWith('SUBSCRIBE') && mode === 'bad') {
      const receipt = /\nreceipt:([^\n]*)/.exec(text);
      if (receipt) ws.send(`RECEIPT\nreceipt-id:${receipt[1]}\n\n\0`);
      ws.send(msg('/q', 'lost-without-nul'));
      ws.send('FROB\nk:v\n\n\0');
      const one = msg('/q', 'one') + '\0';
      ws.send(one.slice(0, 10));
      ws.send(one.slice(10));
      ws.send(Buffer.from(msg('/q', 'two') + '\0' + msg('/q', 'three') + '\0'));
    } else if (text.startsWith('DISCONNECT')) {
      const receipt = /\nreceipt:([^\n]*)/.exec(text);
      if (receipt) ws.send(`RECEIPT\nreceipt-id:${receipt[1]}\n\n\0`);
    }
  });
});
wss.on('listening', () => console.log(wss.address().port));

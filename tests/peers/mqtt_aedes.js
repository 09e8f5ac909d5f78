// The aedes MQTT broker (MQTT 3.1.1) on a WebSocket listener (aedes-server-factory {ws: true}).
// Prints its port on the first line. One login is checked: user "alice" needs password "secret"
// (anything else for "alice" is refused with return code 4, bad user name or password); a client
// without a user name is let in. Options: --flood N (on a subscription to "flood/#", publish N
// QoS 0 messages of --size bytes to "flood/x" through the broker, for the benchmark).
'use strict';
const { Aedes } = require('aedes');
const { createServer } = require('aedes-server-factory');

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const flood = opt('--flood', 0);
const size = opt('--size', 32);

async function main() {
  const broker = await Aedes.createBroker({
    authenticate: (client, username, password, done) => {
      if (username === undefined || username === null) return done(null, true);
      if (username === 'alice' && password && password.toString() === 'secret') return done(null, true);
      const err = new Error('bad user name or password');
      err.returnCode = 4;
      return done(err, false);
    },
  });
  if (flood > 0) {
    const payload = Buffer.alloc(size, 'x');
    broker.on('subscribe', (subs) => {
      if (!subs.some((s) => s.topic === 'flood/#')) return;
      let i = 0;
      const next = () => {
        // In chunks, so the broker's queues stay bounded.
        for (let k = 0; k < 1000 && i < flood; k++, i++) {
          broker.publish({ topic: 'flood/x', payload, qos: 0, retain: false, cmd: 'publish', dup: false }, () => {});
        }
        if (i < flood) setImmediate(next);
      };
      setImmediate(next);
    });
  }
  const server = createServer(broker, { ws: true });
  server.listen(0, '127.0.0.1', () => {
    console.log(server.address().port);
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

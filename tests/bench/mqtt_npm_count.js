// The benchmark's yardstick: the `mqtt` npm client (MQTT.js) subscribes to flood/# at URL and exits
// once it has received N publishes. Usage: node mqtt_npm_count.js URL N
'use strict';
const path = require('path');
const mqtt = require(path.join(__dirname, '../peers/node_modules/mqtt'));

const [url, n] = [process.argv[2], Number(process.argv[3])];
const client = mqtt.connect(url, { protocolVersion: 4, reconnectPeriod: 0 });
let got = 0;
client.on('connect', () => client.subscribe('flood/#', { qos: 0 }));
client.on('message', () => {
  got += 1;
  if (got === n) {
    client.end(true, () => process.exit(0));
  }
});
client.on('error', (e) => {
  console.error(`mqtt_npm_count: ${e.message}`);
  process.exit(1);
});

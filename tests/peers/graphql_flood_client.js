// The official client's side of tests/bench/graphql_bench.sh: the `graphql-ws` client (over `ws`)
// subscribes once, counts `next` payloads and exits 0 on complete (printing the count). Its
// operation id is "1", as sockpit's first one is (not graphql-ws's default random UUID), so both
// clients read the same bytes and the server's pre-built flood for that id.
//   node graphql_flood_client.js URL
'use strict';
const WebSocket = require('ws');
const { createClient } = require('graphql-ws');

const [url] = process.argv.slice(2);
let got = 0;
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  retryAttempts: 0,
  lazy: true,
  generateID: () => '1',
});
client.subscribe(
  { query: 'subscription { count }' },
  {
    next: () => {
      got += 1;
    },
    error: (e) => {
      console.error('error:', e && e.message ? e.message : JSON.stringify(e));
      process.exit(1);
    },
    complete: () => {
      console.log(got);
      client.dispose();
      process.exit(0);
    },
  },
);

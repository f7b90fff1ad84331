// A stand-in for an app's backend in `npm run bench`: it answers every webhook at once with
// Tencent's "carry on" (`ErrorCode` 0), so the figures are Duet's side of the exchange.
// Usage: node scripts/webhook-backend.mjs <port>
import { createServer } from 'node:http';

const answer = JSON.stringify({ ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '' });
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(answer));
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[2]), '127.0.0.1');

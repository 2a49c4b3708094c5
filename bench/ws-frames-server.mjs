// The sessions feed's baseline (bench/run.mjs, `feed`): a bare `ws` server that sends every
// connected client the same FRAME_BYTES-byte text frame FRAMES_PER_SECOND times a second (one
// frame serialised once, then `send` per client, as the feed does) and one on connect. Its
// CPU is what the socket writes alone cost at the delta feed's rate. Answers any HTTP GET 200,
// so that common.mjs's startServer sees it ready.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const frameBytes = Number(process.env.FRAME_BYTES);
const framesPerSecond = Number(process.env.FRAMES_PER_SECOND);
const frame = Buffer.from(JSON.stringify({ event: 'sessions-delta', data: 'x'.repeat(Math.max(0, frameBytes - 36)) }));
const server = createServer((req, res) => res.end('ok'));
const wss = new WebSocketServer({ server });
wss.on('connection', (ws) => ws.send(frame, { binary: false }));
setInterval(() => {
  for (const ws of wss.clients) ws.send(frame, { binary: false });
}, 1000 / framesPerSecond);
server.listen(Number(process.env.PORT), process.env.HOST);
process.on('SIGTERM', () => process.exit(0));

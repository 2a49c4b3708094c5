import { randomBytes, randomInt } from 'node:crypto';

// Like a MongoDB ObjectId: seconds, a per-process random part and a counter, so ids
// sort roughly by creation time and never repeat within a process.
const processPart = randomBytes(5);
let counter = randomInt(0xffffff);

/** A new 24-hex-character OID. */
export function newObjectId(now = Date.now()): string {
  const bytes = Buffer.alloc(12);
  bytes.writeUInt32BE(Math.floor(now / 1000) >>> 0, 0);
  processPart.copy(bytes, 4);
  counter = (counter + 1) & 0xffffff;
  bytes.writeUIntBE(counter, 9, 3);
  return bytes.toString('hex');
}

import { randomFillSync } from 'node:crypto';

const ID_BYTES = 12;
const pool = Buffer.alloc(ID_BYTES * 256);
let offset = pool.length;

/**
 * An unpredictable stream id (RFC 6120 §4.7.3): 12 random bytes in hex, cut from a pooled buffer
 * so that a login's two streams do not cost a call into the random generator each.
 */
export function newStreamId(): string {
  if (offset + ID_BYTES > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = pool.toString('hex', offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return id;
}

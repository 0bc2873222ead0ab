/**
 * The ids of finished sessions during a replay, in the order they finished. A replay asks for every
 * start whether its id already finished, and keeps every finished id to the end: hundreds of
 * thousands of them. Held as strings in a Set, each id is a live object the garbage collector copies
 * and traces again and again, and the Set's growth rehashes them all (measured: a tenth of a replay's
 * CPU). Here the ids' UTF-16 code units are copied into one growing array, found through an
 * open-addressing table of their hashes: typed arrays only, nothing for the collector to trace, and
 * the id strings themselves die young. A 2 MiB bitmap of the hashes answers most misses (nearly every
 * start is of a new id) without touching the larger table.
 */
export interface FinishedIds {
  has(sessionId: string): boolean;
  add(sessionId: string): void;
  /** How many ids were added (each counted once). */
  readonly size: number;
  /** Every id, in the order it was first added; a copy, made when asked for. */
  readonly ids: ReadonlySet<string>;
}

/** 2^24 bits (2 MiB): few false positives up to a few million ids; beyond, just more table probes. */
const BITMAP_BITS = 1 << 24;
const INITIAL_SLOTS = 1 << 16;
const INITIAL_UNITS = 1 << 18;
/** Code units per String.fromCharCode call when the ids are read back (far below argument limits). */
const CHUNK = 8192;

/** FNV-1a over UTF-16 code units: cheap and well spread for short ids. */
function hashOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** A second mix for the table's slot, so that it does not repeat the bitmap's low bits alone. */
function mix(h: number): number {
  return Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) ^ (h >>> 13);
}

export function createFinishedIds(): FinishedIds {
  const bitmap = new Uint32Array(BITMAP_BITS >>> 5);
  /** Entry number + 1 per slot (0: empty); at most half full. */
  let slots = new Int32Array(INITIAL_SLOTS);
  let mask = INITIAL_SLOTS - 1;
  /** Per entry: its hash, and where its code units start (starts[n] is the end of the last one). */
  let hashes = new Int32Array(INITIAL_SLOTS >>> 1);
  let starts = new Int32Array((INITIAL_SLOTS >>> 1) + 1);
  let units = new Uint16Array(INITIAL_UNITS);
  let count = 0;
  let copy: Set<string> | null = new Set();

  function same(entry: number, id: string): boolean {
    const start = starts[entry]!;
    if (starts[entry + 1]! - start !== id.length) return false;
    for (let i = 0; i < id.length; i++) if (units[start + i] !== id.charCodeAt(i)) return false;
    return true;
  }

  /** The slot holding `id`, or the empty slot where it would go. */
  function slotOf(id: string, h: number): number {
    let slot = mix(h) & mask;
    for (;;) {
      const entry = slots[slot]!;
      if (entry === 0 || (hashes[entry - 1] === h && same(entry - 1, id))) return slot;
      slot = (slot + 1) & mask;
    }
  }

  function grow(): void {
    slots = new Int32Array(slots.length * 2);
    mask = slots.length - 1;
    for (let entry = 0; entry < count; entry++) {
      let slot = mix(hashes[entry]!) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    const moreHashes = new Int32Array(slots.length >>> 1);
    moreHashes.set(hashes);
    hashes = moreHashes;
    const moreStarts = new Int32Array((slots.length >>> 1) + 1);
    moreStarts.set(starts);
    starts = moreStarts;
  }

  function read(entry: number): string {
    const start = starts[entry]!;
    const end = starts[entry + 1]!;
    let text = '';
    for (let at = start; at < end; at += CHUNK)
      text += String.fromCharCode(...units.subarray(at, Math.min(end, at + CHUNK)));
    return text;
  }

  return {
    has(sessionId) {
      const h = hashOf(sessionId);
      const bit = h & (BITMAP_BITS - 1);
      if ((bitmap[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
      return slots[slotOf(sessionId, h)] !== 0;
    },
    add(sessionId) {
      const h = hashOf(sessionId);
      const slot = slotOf(sessionId, h);
      if (slots[slot] !== 0) return;
      const bit = h & (BITMAP_BITS - 1);
      bitmap[bit >>> 5]! |= 1 << (bit & 31);
      const start = starts[count]!;
      if (start + sessionId.length > units.length) {
        const more = new Uint16Array(Math.max(units.length * 2, start + sessionId.length));
        more.set(units);
        units = more;
      }
      for (let i = 0; i < sessionId.length; i++) units[start + i] = sessionId.charCodeAt(i);
      hashes[count] = h;
      starts[count + 1] = start + sessionId.length;
      slots[slot] = count + 1;
      count += 1;
      copy = null;
      if (count * 2 >= slots.length) grow();
    },
    get size() {
      return count;
    },
    get ids() {
      if (copy === null) {
        copy = new Set();
        for (let entry = 0; entry < count; entry++) copy.add(read(entry));
      }
      return copy;
    },
  };
}

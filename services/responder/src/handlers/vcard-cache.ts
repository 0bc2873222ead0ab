import type { Element } from '../xml.js';

export interface ParsedVcardCacheOptions {
  /** Most vCards kept. */
  readonly maxEntries: number;
  /** Most UTF-16 units of stored XML kept, summed over the entries (a bound on memory). */
  readonly maxChars: number;
}

export interface ParsedVcardCache {
  /** The cleaned element for this stored text, built by `build` when not cached. Never mutate it. */
  get(storedXml: string, build: () => Element): Element;
  readonly size: number;
}

/**
 * Parsed vCards keyed by their stored text, least recently used dropped first. Keyed by content, it
 * can never serve a stale vCard: the batch's lookup reads the row from MySQL, and a changed vCard is
 * a different key. What it saves is parsing the same XML again for every get (the most expensive
 * step of answering one), which matters because popular vCards are read far more than written.
 */
export function createParsedVcardCache(options: ParsedVcardCacheOptions): ParsedVcardCache {
  const entries = new Map<string, Element>();
  let chars = 0;
  return {
    get(storedXml, build) {
      const hit = entries.get(storedXml);
      if (hit !== undefined) {
        entries.delete(storedXml);
        entries.set(storedXml, hit);
        return hit;
      }
      const built = build();
      if (storedXml.length > options.maxChars) return built;
      entries.set(storedXml, built);
      chars += storedXml.length;
      for (const key of entries.keys()) {
        if (entries.size <= options.maxEntries && chars <= options.maxChars) break;
        entries.delete(key);
        chars -= key.length;
      }
      return built;
    },
    get size() {
      return entries.size;
    },
  };
}

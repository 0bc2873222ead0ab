/** Bounds the guarded parser enforces while bytes arrive, before any element is built. */
export interface ParserLimits {
  /** UTF-8 bytes of one top-level element (a stanza, or the stream header), counted as they arrive. */
  readonly maxStanzaBytes: number;
  /** Open elements at once, the stream element included. */
  readonly maxDepth: number;
  /** Attributes of one element. */
  readonly maxAttributes: number;
  /** Characters of one attribute value (entities count as one). */
  readonly maxAttributeLength: number;
  /** Characters of an element or attribute name. */
  readonly maxNameLength: number;
}

export const DEFAULT_LIMITS: ParserLimits = {
  maxStanzaBytes: 256 * 1024,
  maxDepth: 32,
  maxAttributes: 64,
  maxAttributeLength: 16 * 1024,
  maxNameLength: 256,
};

import { EventEmitter } from 'node:events';

import { StreamError } from '@onlinetime/errors';
import { Parser, type Element } from '@xmpp/xml';

import { DEFAULT_LIMITS, type ParserLimits } from './limits.js';
import { XmlScanner } from './scanner.js';

export interface StreamParserEvents {
  /** The stream header: its qualified name and raw attributes. */
  'stream-start': [attrs: Record<string, string>, name: string];
  /**
   * One complete top-level element (its parent is the stream element, for namespace lookups) and
   * its text exactly as received, for passing it on without serialising the tree again.
   */
  stanza: [element: Element, text: string];
  'stream-end': [];
  /** Emitted once; the parser ignores all input afterwards. */
  error: [error: StreamError];
}

export interface StreamParserOptions {
  readonly limits?: Partial<ParserLimits>;
  /** 'stream' (default) parses a client stream; 'fragment' parses stand-alone elements. */
  readonly mode?: 'stream' | 'fragment';
}

/**
 * The guarded parser for client streams: bytes → fatal UTF-8 decoding → XmlScanner (validation and
 * limits) → @xmpp/xml's Parser (ltx) building elements of complete units only. Listeners must not
 * throw; if one does, parsing stops and `write` rethrows that error after the chunk.
 */
export class StreamParser extends EventEmitter<StreamParserEvents> {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private readonly scanner: XmlScanner;
  private readonly ltx = new Parser();
  private stopped = false;
  private listenerError: unknown;
  /** The unit being handed to ltx. */
  private unit = '';

  constructor(options: StreamParserOptions = {}) {
    super();
    const limits = { ...DEFAULT_LIMITS, ...options.limits };
    const mode = options.mode ?? 'stream';
    this.scanner = new XmlScanner({ limits, mode, onUnit: (text) => this.feed(text) });
    this.ltx.on('start', (el: Element) => {
      if (mode === 'stream') this.deliver(() => this.emit('stream-start', { ...el.attrs }, el.name));
    });
    this.ltx.on('element', (el: Element) => this.deliver(() => this.emit('stanza', el, this.unit)));
    this.ltx.on('end', () => this.deliver(() => this.emit('stream-end')));
    this.ltx.on('error', (err: Error) => this.fail(new StreamError('not-well-formed', err.message)));
    if (mode === 'fragment') this.ltx.write('<fragment>');
  }

  /** Feeds bytes (or already decoded text) as they arrive. */
  write(data: Buffer | Uint8Array | string): void {
    if (this.stopped) return;
    try {
      const text = typeof data === 'string' ? data : this.decoder.decode(data, { stream: true });
      this.scanner.write(text);
    } catch (err) {
      if (this.listenerError === undefined) {
        this.fail(err instanceof StreamError ? err : new StreamError('not-well-formed', 'invalid UTF-8'));
      }
    }
    this.rethrowListenerError();
  }

  /** The input ended; a truncated multi-byte character is an error. */
  end(): void {
    if (this.stopped) return;
    try {
      this.decoder.decode();
    } catch {
      this.fail(new StreamError('not-well-formed', 'invalid UTF-8'));
    }
  }

  /** Stops parsing now, even in the middle of a chunk (e.g. after `<starttls/>`). */
  halt(): void {
    this.stopped = true;
    this.scanner.halted = true;
  }

  get halted(): boolean {
    return this.stopped;
  }

  private feed(text: string): void {
    this.unit = text;
    try {
      this.ltx.write(text);
    } catch (err) {
      if (this.listenerError !== undefined) throw err;
      throw new StreamError('restricted-xml', `rejected by the XML parser: ${(err as Error).message}`);
    } finally {
      this.unit = ''; // an idle connection keeps no copy of its last stanza
    }
  }

  private deliver(emit: () => void): void {
    if (this.stopped) return;
    try {
      emit();
    } catch (err) {
      this.listenerError = err;
      this.halt();
      throw err;
    }
  }

  private fail(error: StreamError): void {
    if (this.stopped) return;
    this.halt();
    this.emit('error', error);
  }

  private rethrowListenerError(): void {
    const err = this.listenerError;
    if (err === undefined) return;
    this.listenerError = undefined;
    throw err;
  }
}

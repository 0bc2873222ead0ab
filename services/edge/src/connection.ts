import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';

import type { SessionStopReason } from '@onlinetime/events';
import type { Logger } from '@onlinetime/logging';
import {
  NS,
  STREAM_CLOSE,
  StreamParser,
  streamErrorElement,
  streamHeader,
  type Element,
  type ParserLimits,
} from '@onlinetime/stanza';

import type { EdgeMetrics } from './metrics.js';
import { stanzaKind } from './metrics.js';
import { Inbox } from './inbox.js';
import { ByteRateLimiter } from './rate-limiter.js';

export interface ConnectionLimits {
  readonly parser: Partial<ParserLimits>;
  readonly maxStanzaBytes: number;
  readonly maxStanzaBytesPreauth: number;
  readonly authTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly keepaliveIntervalMs: number;
  readonly maxBytesPerSecond: number;
  readonly maxWriteBufferBytes: number;
}

export type InboxItem =
  | { readonly kind: 'start'; readonly attrs: Record<string, string>; readonly name: string }
  | { readonly kind: 'element'; readonly element: Element; readonly text: string }
  | { readonly kind: 'end' }
  | { readonly kind: 'error'; readonly condition: string; readonly text: string | undefined };

export interface ConnectionOptions {
  readonly id: string;
  readonly socket: Socket;
  readonly defaultDomain: string;
  readonly limits: ConnectionLimits;
  readonly logger: Logger;
  readonly metrics: EdgeMetrics;
  /** Handles the stream header, each top-level element, in order, one at a time. */
  readonly handle: (connection: Connection, item: InboxItem) => void | Promise<void>;
  /** Called exactly once, synchronously, when the connection is done. */
  readonly onClosed: (connection: Connection, reason: SessionStopReason) => void;
}

const INBOX_HIGH = 64;
const INBOX_LOW = 16;
const DESTROY_AFTER_MS = 2_000;
const noop = (): void => {};

/** One client connection: its socket (TCP, later TLS), parser, inbox, timers and limits. */
export class Connection {
  readonly id: string;
  readonly ip: string;
  readonly logger: Logger;
  secure = false;
  /** The served domain this stream is for (set by the first stream header). */
  domain: string | null = null;
  streamId = '';
  headerSent = false;
  /** Set after SASL success. */
  user: { readonly local: string; readonly bare: string } | null = null;
  /** Set after resource binding. */
  session: { readonly id: string; readonly jid: string } | null = null;
  authFailures = 0;
  closed = false;
  /** The client closed its stream: a following socket end is a clean close. */
  private clientClosed = false;
  private socket: Socket;
  private parser: StreamParser;
  private readonly inbox: Inbox<InboxItem>;
  private readonly paused = new Set<string>();
  private readonly limiter: ByteRateLimiter;
  private lastReceived = Date.now();
  private lastSent = Date.now();
  /** Text written in this turn of the event loop, not yet handed to the socket. */
  private readonly outgoing: string[] = [];
  private outgoingLength = 0;
  private readonly authTimer: NodeJS.Timeout;
  private readonly ticker: NodeJS.Timeout;

  constructor(private readonly options: ConnectionOptions) {
    this.id = options.id;
    this.socket = options.socket;
    this.ip = options.socket.remoteAddress ?? 'unknown';
    this.logger = options.logger;
    const { limits } = options;
    this.limiter = new ByteRateLimiter(limits.maxBytesPerSecond);
    this.inbox = new Inbox<InboxItem>({
      handle: (item) => options.handle(this, item),
      high: INBOX_HIGH,
      low: INBOX_LOW,
      onHigh: () => this.pause('inbox'),
      onLow: () => this.resume('inbox'),
      onError: (err) => {
        this.logger.error({ err, ip: this.ip, jid: this.session?.jid }, 'stanza handling failed');
        this.streamError('internal-server-error', undefined, 'error');
      },
    });
    this.parser = this.newParser(limits.maxStanzaBytesPreauth);
    this.attach(this.socket);
    this.authTimer = setTimeout(() => {
      this.streamError('connection-timeout', 'authentication timed out', 'timeout');
    }, limits.authTimeoutMs).unref();
    const tick = Math.max(50, Math.min(limits.idleTimeoutMs, limits.keepaliveIntervalMs) / 2);
    this.ticker = setInterval(() => this.onTick(), tick).unref();
  }

  /** Writes one element (a stanza or a negotiation element). */
  send(element: Element): void {
    this.sendText(element.name, element.toString());
  }

  /** Writes one element already serialised (and checked: it must be exactly one element). */
  sendText(name: string, text: string): void {
    this.options.metrics.stanzasOut.inc({ kind: stanzaKind(name) });
    this.write(text);
  }

  /**
   * Writes raw text (stream header, features); ignored once closed. What is written in one turn of
   * the event loop goes out as one socket write (a write costs a system call; a batch of replies or
   * a header with its features would otherwise cost one each).
   */
  write(text: string): void {
    if (this.closed || this.socket.destroyed || this.socket.writableEnded) return;
    this.outgoing.push(text);
    this.outgoingLength += text.length;
    // What the socket still holds counts too: a client that does not read is closed holding at most
    // its limit plus this one write, however many replies one turn brings.
    if (this.socket.writableLength + this.outgoingLength > this.options.limits.maxWriteBufferBytes)
      this.flush(); // checks the limit
    else if (this.outgoing.length === 1) process.nextTick(this.flush);
  }

  /** The stream is authenticated and bound: the authentication timeout no longer applies. */
  markBound(): void {
    clearTimeout(this.authTimer);
  }

  /** After SASL success or TLS: the client opens a new stream, parsed from scratch. */
  restartStream(authenticated: boolean): void {
    this.parser.halt();
    this.headerSent = false;
    const { limits } = this.options;
    this.parser = this.newParser(authenticated ? limits.maxStanzaBytes : limits.maxStanzaBytesPreauth);
  }

  /** Writes `<proceed/>` and wraps the socket in TLS (server side); the stream restarts. */
  upgradeToTls(secureContext: SecureContext, proceed: Element): void {
    const raw = this.socket;
    this.detach(raw);
    raw.on('error', noop);
    this.send(proceed);
    this.flush(); // <proceed/> goes out in the clear, before the handshake
    const secure = new TLSSocket(raw, { isServer: true, secureContext });
    this.socket = secure;
    this.secure = true;
    this.attach(secure);
    if (this.paused.size > 0) secure.pause();
    this.restartStream(false);
  }

  /** Sends a stream error (after a header when none was sent yet) and closes. */
  streamError(condition: string, text: string | undefined, reason: SessionStopReason): void {
    if (this.closed) return;
    this.options.metrics.streamErrors.inc({ condition });
    this.logger.info({ ip: this.ip, condition, text, jid: this.session?.jid }, 'stream error');
    if (!this.headerSent) {
      this.write(
        streamHeader({ from: this.domain ?? this.options.defaultDomain, id: this.streamId || 'error' }),
      );
    }
    this.write(streamErrorElement(condition, text).toString() + STREAM_CLOSE);
    this.end(reason);
  }

  /** Closes the stream cleanly (`</stream:stream>`). */
  closeStream(reason: SessionStopReason): void {
    if (this.closed) return;
    this.write(STREAM_CLOSE);
    this.end(reason);
  }

  private end(reason: SessionStopReason): void {
    const last = this.takeOutgoing();
    this.finish(reason);
    // The last words and the FIN in one call.
    if (last !== undefined && !this.socket.destroyed && !this.socket.writableEnded) this.socket.end(last);
    else this.socket.end();
    setTimeout(() => this.socket.destroy(), DESTROY_AFTER_MS).unref();
  }

  private finish(reason: SessionStopReason): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.authTimer);
    clearInterval(this.ticker);
    this.parser.halt();
    this.inbox.stop();
    this.options.onClosed(this, reason);
  }

  /** Writes what `write` gathered (called once per turn, and before TLS or the end of the stream). */
  private readonly flush = (): void => {
    const text = this.takeOutgoing();
    if (text === undefined || this.closed || this.socket.destroyed || this.socket.writableEnded) return;
    this.socket.write(text);
    this.lastSent = Date.now();
    if (this.socket.writableLength > this.options.limits.maxWriteBufferBytes) {
      this.logger.warn(
        { ip: this.ip, buffered: this.socket.writableLength },
        'closing a connection that does not read',
      );
      this.socket.destroy();
      this.finish('error');
    }
  };

  private takeOutgoing(): string | undefined {
    const { outgoing } = this;
    if (outgoing.length === 0) return undefined;
    const text = outgoing.length === 1 ? (outgoing[0] as string) : outgoing.join('');
    outgoing.length = 0;
    this.outgoingLength = 0;
    return text;
  }

  private newParser(maxStanzaBytes: number): StreamParser {
    const parser = new StreamParser({ limits: { ...this.options.limits.parser, maxStanzaBytes } });
    parser.on('stream-start', (attrs, name) => this.inbox.push({ kind: 'start', attrs, name }));
    parser.on('stanza', (element, text) => {
      // Nothing after <starttls/> may be read as XML: the TLS handshake follows.
      if (element.is('starttls', NS.tls)) parser.halt();
      this.options.metrics.stanzasIn.inc({ kind: stanzaKind(element.name) });
      this.inbox.push({ kind: 'element', element, text });
    });
    parser.on('stream-end', () => {
      this.clientClosed = true;
      this.inbox.push({ kind: 'end' });
    });
    parser.on('error', (err) => {
      this.pause('error');
      this.inbox.push({ kind: 'error', condition: err.condition, text: err.text });
    });
    return parser;
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.closed) return;
    this.lastReceived = Date.now();
    const wait = this.limiter.consume(chunk.length);
    if (wait > 0 && !this.paused.has('rate')) {
      this.pause('rate');
      setTimeout(() => this.resume('rate'), wait).unref();
    }
    try {
      this.parser.write(chunk);
    } catch (err) {
      this.logger.error({ err, ip: this.ip }, 'stream parsing failed');
      this.streamError('internal-server-error', undefined, 'error');
    }
  };

  private readonly onEnd = (): void => this.finish(this.clientClosed ? 'closed' : 'error');
  private readonly onError = (err: Error): void => {
    this.logger.debug({ err, ip: this.ip }, 'socket error');
    this.finish('error');
  };

  private attach(socket: Socket): void {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onError);
  }

  private detach(socket: Socket): void {
    socket.off('data', this.onData);
    socket.off('end', this.onEnd);
    socket.off('close', this.onEnd);
    socket.off('error', this.onError);
  }

  private pause(reason: string): void {
    this.paused.add(reason);
    this.socket.pause();
  }

  private resume(reason: string): void {
    if (!this.paused.delete(reason) || this.paused.size > 0 || this.closed) return;
    this.socket.resume();
  }

  private onTick(): void {
    const now = Date.now();
    const { idleTimeoutMs, keepaliveIntervalMs } = this.options.limits;
    // A connection paused for its byte rate or a full inbox is busy, not idle.
    if (this.paused.size === 0 && now - this.lastReceived >= idleTimeoutMs) {
      this.streamError('connection-timeout', 'idle for too long', 'timeout');
    } else if (this.headerSent && now - this.lastSent >= keepaliveIntervalMs) {
      this.write(' ');
    }
  }
}

import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

import { plainInitial, ScramClient, type ClientMechanism, type ScramKeyCache } from './sasl-scram.js';
import { attr, innerText, tagName, XmlSplitter } from './xml-splitter.js';

export interface ClientOptions {
  readonly host: string;
  readonly port: number;
  readonly domain: string;
  readonly user: string;
  readonly password: string;
  readonly resource: string;
  /** 'auto': SCRAM-SHA-1 (what every server here offers), else SCRAM-SHA-256, else PLAIN. */
  readonly mechanism: ClientMechanism | 'auto';
  readonly tls: boolean;
  readonly timeoutMs: number;
  readonly cache: ScramKeyCache;
  /** Send initial presence after binding. */
  readonly presence: boolean;
}

export type IqReply = (type: string, text: string) => void;

const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';
const AUTO_ORDER: readonly ClientMechanism[] = ['SCRAM-SHA-1', 'SCRAM-SHA-256', 'PLAIN'];

/** Throws with the server's words when a stanza is a stream error. */
function checkStreamError(text: string): void {
  if (tagName(text) === 'stream:error') throw new Error(`stream error: ${text.slice(0, 300)}`);
}

/** One raw XMPP client connection: login (STARTTLS optional, SASL, bind), IQs by id, batched writes. */
export class XmppClient {
  private socket: Socket;
  private readonly splitter: XmlSplitter;
  private queue: string[] = [];
  private waiter: ((text: string | Error) => void) | undefined;
  private out = '';
  private flushScheduled = false;
  private readonly pending = new Map<string, IqReply>();
  private nextId = 0;
  private closed = false;
  private closeWaiters: Array<() => void> = [];
  jid = '';

  private constructor(private readonly options: ClientOptions) {
    this.splitter = new XmlSplitter({
      onStreamStart: () => this.deliver('<stream-start/>'),
      onStanza: (text) => this.onStanza(text),
      onStreamEnd: () => this.shutdown(),
    });
    this.socket = netConnect({ host: options.host, port: options.port, noDelay: true });
    this.attach(this.socket);
  }

  /** Connects and logs in; resolves once the resource is bound. */
  static async login(options: ClientOptions): Promise<XmppClient> {
    const client = new XmppClient(options);
    try {
      await client.handshake();
      return client;
    } catch (err) {
      client.destroy();
      throw err;
    }
  }

  /** In-band registration (XEP-0077) before any login; an existing account (conflict) counts as done. */
  static async register(options: ClientOptions): Promise<'created' | 'exists'> {
    const client = new XmppClient(options);
    try {
      await client.openStream();
      const id = 'reg1';
      client.write(
        `<iq type='set' id='${id}'><query xmlns='jabber:iq:register'><username>${options.user}</username><password>${options.password}</password></query></iq>`,
      );
      for (;;) {
        const text = await client.nextNamed('iq');
        if (attr(text, 'id') !== id) continue;
        if (attr(text, 'type') === 'result') return 'created';
        if (text.includes('<conflict')) return 'exists';
        throw new Error(`registration of ${options.user} failed: ${text.slice(0, 300)}`);
      }
    } finally {
      await client.close(2000);
    }
  }

  get outstanding(): number {
    return this.pending.size;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends an IQ built around a fresh id; `onReply` gets the reply type and text. */
  sendIq(build: (id: string) => string, onReply: IqReply): string {
    const id = `b${(this.nextId += 1).toString(36)}`;
    this.pending.set(id, onReply);
    this.write(build(id));
    return id;
  }

  /** Forgets the IQs still waiting (counted by the caller as timeouts). */
  abandonPending(): number {
    const n = this.pending.size;
    this.pending.clear();
    return n;
  }

  write(text: string): void {
    if (this.closed) return;
    this.out += text;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Closes the stream politely; resolves when the server closed it too (or after the timeout). */
  async close(timeoutMs = this.options.timeoutMs): Promise<void> {
    if (this.closed) return;
    this.write('</stream:stream>');
    this.flush();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.destroy();
        resolve();
      }, timeoutMs);
      this.closeWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  destroy(): void {
    this.socket.destroy();
    this.shutdown();
  }

  onClose(callback: () => void): void {
    if (this.closed) callback();
    else this.closeWaiters.push(callback);
  }

  private attach(socket: Socket): void {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.splitter.write(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.shutdown());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.out === '' || this.closed) return;
    const text = this.out;
    this.out = '';
    this.socket.write(text);
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    this.fail(new Error('connection closed'));
    this.socket.end();
    const waiters = this.closeWaiters;
    this.closeWaiters = [];
    for (const w of waiters) w();
  }

  private fail(err: Error): void {
    const w = this.waiter;
    this.waiter = undefined;
    if (w !== undefined) w(err);
    else if (this.jid === '') this.queue.push(`<error-marker>${err.message}`);
  }

  private deliver(text: string): void {
    const w = this.waiter;
    if (w !== undefined) {
      this.waiter = undefined;
      w(text);
    } else this.queue.push(text);
  }

  private onStanza(text: string): void {
    const name = tagName(text);
    if (name === 'iq') {
      const type = attr(text, 'type');
      if (type === 'result' || type === 'error') {
        const id = attr(text, 'id') ?? '';
        const reply = this.pending.get(id);
        if (reply !== undefined) {
          this.pending.delete(id);
          reply(type, text);
          return;
        }
      } else if (this.jid !== '') {
        // A request from the server (e.g. ping): answer it, as a client must.
        const id = attr(text, 'id') ?? '';
        const from = attr(text, 'from');
        const to = from === undefined ? '' : ` to='${from}'`;
        if (text.includes('urn:xmpp:ping')) this.write(`<iq type='result' id='${id}'${to}/>`);
        else
          this.write(
            `<iq type='error' id='${id}'${to}><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`,
          );
        return;
      }
    }
    if (this.jid === '') this.deliver(text);
  }

  private next(): Promise<string> {
    const queued = this.queue.shift();
    if (queued !== undefined) {
      if (queued.startsWith('<error-marker>')) return Promise.reject(new Error(queued.slice(14)));
      return Promise.resolve(queued);
    }
    if (this.closed) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`timeout after ${this.options.timeoutMs} ms during login`));
      }, this.options.timeoutMs);
      this.waiter = (value) => {
        clearTimeout(timer);
        if (value instanceof Error) reject(value);
        else resolve(value);
      };
    });
  }

  private async nextNamed(name: string): Promise<string> {
    for (;;) {
      const text = await this.next();
      checkStreamError(text);
      if (tagName(text) === name) return text;
    }
  }

  private async openStream(): Promise<string> {
    this.splitter.reset();
    this.write(
      `<?xml version='1.0'?><stream:stream to='${this.options.domain}' version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>`,
    );
    await this.nextNamed('stream-start');
    return this.nextNamed('stream:features');
  }

  private async handshake(): Promise<void> {
    let features = await this.openStream();
    if (this.options.tls) {
      if (!features.includes('urn:ietf:params:xml:ns:xmpp-tls')) throw new Error('server offers no STARTTLS');
      this.write(`<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`);
      await this.nextNamed('proceed');
      const plain = this.socket;
      plain.removeAllListeners('data');
      this.socket = tlsConnect({ socket: plain, servername: this.options.domain, rejectUnauthorized: false });
      this.attach(this.socket);
      features = await this.openStream();
    }
    await this.authenticate(features);
    features = await this.openStream();
    const bind = await this.iq(
      `<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>${this.options.resource}</resource></bind>`,
    );
    this.jid = /<jid>([^<]+)<\/jid>/.exec(bind)?.[1] ?? `${this.options.user}@${this.options.domain}`;
    const session =
      /<session xmlns=['"]urn:ietf:params:xml:ns:xmpp-session['"]\s*(\/>|>([\s\S]*?)<\/session>)/.exec(
        features,
      );
    if (session !== null && !(session[2] ?? '').includes('optional')) {
      await this.iq(`<session xmlns='urn:ietf:params:xml:ns:xmpp-session'/>`);
    }
    if (this.options.presence) this.write('<presence/>');
  }

  /** A login-time IQ set (bind, session): resolves with the result, throws on an error reply. */
  private async iq(child: string): Promise<string> {
    const id = `login${(this.nextId += 1).toString(36)}`;
    this.write(`<iq type='set' id='${id}'>${child}</iq>`);
    for (;;) {
      const text = await this.nextNamed('iq');
      if (attr(text, 'id') !== id) continue;
      if (attr(text, 'type') !== 'result') throw new Error(`login IQ failed: ${text.slice(0, 300)}`);
      return text;
    }
  }

  private chooseMechanism(features: string): ClientMechanism {
    const offered = [...features.matchAll(/<mechanism>([^<]+)<\/mechanism>/g)].map((m) => m[1]);
    const wanted = this.options.mechanism === 'auto' ? AUTO_ORDER : [this.options.mechanism];
    const chosen = wanted.find((m) => offered.includes(m));
    if (chosen === undefined) throw new Error(`no usable SASL mechanism (offered: ${offered.join(' ')})`);
    return chosen;
  }

  private async authenticate(features: string): Promise<void> {
    const { user, password, cache } = this.options;
    const mechanism = this.chooseMechanism(features);
    if (mechanism === 'PLAIN') {
      this.write(`<auth xmlns='${NS_SASL}' mechanism='PLAIN'>${plainInitial(user, password)}</auth>`);
    } else {
      const scram = new ScramClient(mechanism, user, password, cache);
      this.write(`<auth xmlns='${NS_SASL}' mechanism='${mechanism}'>${scram.first()}</auth>`);
      const challenge = await this.nextSasl();
      if (tagName(challenge) !== 'challenge') throw new Error(`SASL: ${challenge.slice(0, 300)}`);
      this.write(`<response xmlns='${NS_SASL}'>${scram.final(innerText(challenge))}</response>`);
      const outcome = await this.nextSasl();
      if (tagName(outcome) !== 'success') throw new Error(`SASL failed: ${outcome.slice(0, 300)}`);
      if (!scram.verify(innerText(outcome))) throw new Error('SASL: the server signature does not verify');
      return;
    }
    const outcome = await this.nextSasl();
    if (tagName(outcome) !== 'success') throw new Error(`SASL failed: ${outcome.slice(0, 300)}`);
  }

  private async nextSasl(): Promise<string> {
    for (;;) {
      const text = await this.next();
      checkStreamError(text);
      const name = tagName(text);
      if (name === 'challenge' || name === 'success' || name === 'failure') return text;
    }
  }
}

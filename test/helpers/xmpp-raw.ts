import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/**
 * A raw-socket XMPP client for tests that must control every byte (hostile input, exact stream
 * errors). Everything received is kept; `expect` waits for a pattern in what arrived since the last
 * match, so tests read like "send … / receive …".
 */
export class RawXmppClient {
  received = '';
  closed = false;
  private cursor = 0;
  private readonly waiters = new Set<() => void>();

  private constructor(private socket: Socket) {
    this.listen(socket);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawXmppClient> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ port, host }, () => {
        socket.off('error', reject);
        resolve(new RawXmppClient(socket));
      });
      socket.once('error', reject);
    });
  }

  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Waits until the text received since the last match matches; returns the match. */
  async expect(pattern: RegExp | string, timeoutMs = 5_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rest = this.received.slice(this.cursor);
      const match = typeof pattern === 'string' ? matchString(rest, pattern) : pattern.exec(rest);
      if (match !== null) {
        this.cursor += match.index + match[0].length;
        return match[0];
      }
      if (this.closed) throw new Error(`connection closed before ${String(pattern)}; got: ${rest}`);
      if (Date.now() >= deadline) throw new Error(`timed out waiting for ${String(pattern)}; got: ${rest}`);
      await this.change(deadline - Date.now());
    }
  }

  /** Waits for the server to close the connection. */
  async expectClose(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() >= deadline)
        throw new Error(`connection still open; got: ${this.received.slice(this.cursor)}`);
      await this.change(deadline - Date.now());
    }
  }

  /** Sends a stream header and waits for the features. */
  async openStream(domain = 'localhost'): Promise<string> {
    this.send(
      `<?xml version='1.0'?><stream:stream to='${domain}' version='1.0' xml:lang='en' ` +
        `xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>`,
    );
    return this.expect(/<stream:features>[\s\S]*?<\/stream:features>|<stream:features\/>/);
  }

  /** STARTTLS then a new stream over TLS (certificate not verified: tests use a self-signed one). */
  async startTls(domain = 'localhost'): Promise<void> {
    this.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    await this.expect('<proceed xmlns="urn:ietf:params:xml:ns:xmpp-tls"/>');
    const raw = this.socket;
    raw.removeAllListeners('data');
    raw.removeAllListeners('close');
    const secure = tlsConnect({ socket: raw, servername: domain, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.socket = secure;
    this.listen(secure);
    await this.openStream(domain);
  }

  /** SCRAM-SHA-1 (RFC 5802) over the current stream; resolves after <success/> and the new stream's features. */
  async authenticate(username: string, password: string, domain = 'localhost'): Promise<void> {
    const outcome = await this.scram(username, password);
    if (outcome !== 'success') throw new Error(`authentication failed: ${outcome}`);
    await this.openStream(domain);
  }

  /** One SCRAM-SHA-1 attempt: 'success' or the SASL failure condition. */
  async scram(username: string, password: string): Promise<string> {
    const clientNonce = randomBytes(12).toString('base64');
    const first = `n=${username},r=${clientNonce}`;
    this.send(
      `<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-1'>${b64(`n,,${first}`)}</auth>`,
    );
    const step = await this.expect(/<challenge[^>]*>[^<]*<\/challenge>|<failure[\s\S]*?<\/failure>/);
    if (step.startsWith('<failure')) return failureCondition(step);
    const serverFirst = Buffer.from(/>([^<]*)</.exec(step)?.[1] ?? '', 'base64').toString();
    const fields = Object.fromEntries(serverFirst.split(',').map((f) => [f[0], f.slice(2)]));
    const salted = pbkdf2Sync(password, Buffer.from(fields.s ?? '', 'base64'), Number(fields.i), 20, 'sha1');
    const clientKey = createHmac('sha1', salted).update('Client Key').digest();
    const storedKey = createHash('sha1').update(clientKey).digest();
    const withoutProof = `c=biws,r=${fields.r}`;
    const signature = createHmac('sha1', storedKey)
      .update(`${first},${serverFirst},${withoutProof}`)
      .digest();
    const proof = Buffer.from(clientKey.map((byte, i) => byte ^ (signature[i] ?? 0)));
    this.send(
      `<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>${b64(`${withoutProof},p=${proof.toString('base64')}`)}</response>`,
    );
    const end = await this.expect(
      /<success[^>]*>[^<]*<\/success>|<success[^>]*\/>|<failure[\s\S]*?<\/failure>/,
    );
    return end.startsWith('<failure') ? failureCondition(end) : 'success';
  }

  /** Binds a resource; returns the full JID. */
  async bind(resource: string): Promise<string> {
    this.send(
      `<iq type='set' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>${resource}</resource></bind></iq>`,
    );
    const reply = await this.expect(/<iq[^>]*id="bind1"[\s\S]*?<\/iq>/);
    const jid = /<jid>([^<]+)<\/jid>/.exec(reply)?.[1];
    if (jid === undefined) throw new Error(`bind failed: ${reply}`);
    return jid;
  }

  /** Open stream, SCRAM-SHA-1 (plaintext must be allowed), bind. */
  async login(username: string, password: string, resource: string, domain = 'localhost'): Promise<string> {
    await this.openStream(domain);
    await this.authenticate(username, password, domain);
    return this.bind(resource);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private listen(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.received += chunk.toString('utf8');
      this.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
    socket.on('error', () => {});
  }

  private notify(): void {
    for (const wake of [...this.waiters]) wake();
  }

  private change(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(ms, 1));
      this.waiters.add(wake);
    });
  }
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

function matchString(text: string, needle: string): RegExpExecArray | null {
  const index = text.indexOf(needle);
  if (index === -1) return null;
  const match = [needle] as unknown as RegExpExecArray;
  match.index = index;
  return match;
}

function failureCondition(failure: string): string {
  return /<failure[^>]*><([a-z-]+)/.exec(failure)?.[1] ?? 'unknown';
}

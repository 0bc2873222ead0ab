/**
 * A raw client connection for the hostile-input cases: every byte under the test's control, bound to
 * a chosen loopback source address (127.0.0.0/8 all reaches the edge), so per-address throttling of
 * one case does not leak into the next. SCRAM-SHA-1 by hand, with the transcript kept for replays.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export const STREAM_HEADER =
  "<?xml version='1.0'?><stream:stream to='localhost' version='1.0' xml:lang='en' " +
  "xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";

export const streamErrorOf = (text: string): string | null =>
  /<stream:error><([\w-]+) xmlns="urn:ietf:params:xml:ns:xmpp-streams"/.exec(text)?.[1] ?? null;

export const saslFailureOf = (text: string): string | null =>
  /<failure xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><([\w-]+)/.exec(text)?.[1] ?? null;

export class Wire {
  received = '';
  closed = false;
  private cursor = 0;
  private wake: (() => void) | null = null;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received += chunk.toString('utf8');
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on('error', () => {});
  }

  static connect(port: number, localAddress = '127.0.0.1'): Promise<Wire> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1', localAddress }, () => {
        socket.off('error', reject);
        resolve(new Wire(socket));
      });
      socket.once('error', reject);
    });
  }

  send(data: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(data);
  }

  /** Waits for `pattern` in what arrived since the last match; returns the match. */
  async expect(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.received.slice(this.cursor));
      if (match !== null) {
        this.cursor += match.index + match[0].length;
        return match[0];
      }
      if (this.closed)
        throw new Error(
          `closed before ${String(pattern)}; got: ${this.received.slice(this.cursor, this.cursor + 500)}`,
        );
      if (Date.now() >= deadline)
        throw new Error(
          `timed out waiting for ${String(pattern)}; got: ${this.received.slice(this.cursor, this.cursor + 500)}`,
        );
      await this.change(deadline - Date.now());
    }
  }

  /** Resolves true once the server closed the connection, false after `timeoutMs`. */
  async closedWithin(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await this.change(deadline - Date.now());
    return this.closed;
  }

  async openStream(): Promise<void> {
    this.send(STREAM_HEADER);
    await this.expect(/<stream:features>[\s\S]*?<\/stream:features>|<stream:features\/>/);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private change(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, Math.max(ms, 1));
      this.wake = done;
    });
  }
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

export interface ScramTranscript {
  readonly auth: string;
  readonly response: string;
}

/** SCRAM-SHA-1 on an open stream; resolves 'success' or the SASL failure condition, with the transcript. */
export async function scram(
  wire: Wire,
  username: string,
  password: string,
): Promise<{ outcome: string; transcript: ScramTranscript | null }> {
  const first = `n=${username},r=${randomBytes(12).toString('base64')}`;
  const auth = `<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-1'>${b64(`n,,${first}`)}</auth>`;
  wire.send(auth);
  const reply = await wire.expect(/<challenge[^>]*>[^<]*<\/challenge>|<failure[\s\S]*?<\/failure>/);
  if (reply.startsWith('<failure')) return { outcome: saslFailureOf(reply) ?? reply, transcript: null };
  const serverFirst = Buffer.from(/>([^<]*)</.exec(reply)?.[1] ?? '', 'base64').toString();
  const fields = Object.fromEntries(serverFirst.split(',').map((f) => [f[0], f.slice(2)]));
  const salted = pbkdf2Sync(password, Buffer.from(fields.s ?? '', 'base64'), Number(fields.i), 20, 'sha1');
  const clientKey = createHmac('sha1', salted).update('Client Key').digest();
  const storedKey = createHash('sha1').update(clientKey).digest();
  const withoutProof = `c=biws,r=${fields.r}`;
  const signature = createHmac('sha1', storedKey).update(`${first},${serverFirst},${withoutProof}`).digest();
  const proof = Buffer.from(clientKey.map((byte, i) => byte ^ (signature[i] ?? 0)));
  const response = `<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>${b64(`${withoutProof},p=${proof.toString('base64')}`)}</response>`;
  wire.send(response);
  const end = await wire.expect(
    /<success[^>]*>[^<]*<\/success>|<success[^>]*\/>|<failure[\s\S]*?<\/failure>/,
  );
  return {
    outcome: end.startsWith('<success') ? 'success' : (saslFailureOf(end) ?? end),
    transcript: { auth, response },
  };
}

/** Sends a recorded exchange again, byte for byte, on another stream; resolves the outcome. */
export async function replayScram(wire: Wire, transcript: ScramTranscript): Promise<string> {
  wire.send(transcript.auth);
  const reply = await wire.expect(/<challenge[^>]*>[^<]*<\/challenge>|<failure[\s\S]*?<\/failure>/);
  if (reply.startsWith('<failure')) return saslFailureOf(reply) ?? reply;
  wire.send(transcript.response);
  const end = await wire.expect(
    /<success[^>]*>[^<]*<\/success>|<success[^>]*\/>|<failure[\s\S]*?<\/failure>/,
  );
  return end.startsWith('<success') ? 'success' : (saslFailureOf(end) ?? end);
}

/** Open stream, SCRAM-SHA-1, new stream, bind; resolves the full JID. */
export async function login(
  wire: Wire,
  username: string,
  password: string,
  resource: string,
): Promise<string> {
  await wire.openStream();
  const { outcome } = await scram(wire, username, password);
  if (outcome !== 'success') throw new Error(`login of ${username} failed: ${outcome}`);
  await wire.openStream();
  wire.send(
    `<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>${resource}</resource></bind></iq>`,
  );
  const bound = await wire.expect(/<iq[^>]*id="bind"[\s\S]*?<\/iq>|<iq[^>]*id="bind"[^>]*\/>/);
  const jid = /<jid>([^<]+)<\/jid>/.exec(bound)?.[1];
  if (jid === undefined) throw new Error(`bind failed: ${bound}`);
  return jid;
}

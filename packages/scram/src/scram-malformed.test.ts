import { describe, expect, it } from 'vitest';

import { deriveScramKeys } from './derive-keys.js';
import { SaslFailure, type SaslFailureCondition } from './sasl-failure.js';
import { createScramServer, type ScramServer } from './scram-server.js';
import { scramClientFinal } from './testing/scram-client.js';

const mechanism = 'SCRAM-SHA-256';
const keys = deriveScramKeys(mechanism, 'pencil');
const bare = 'n=user,r=clientnonce';

function server(serverNonce = 'servernonce'): ScramServer {
  return createScramServer({
    mechanism,
    lookup: async (u) => (u === 'user' ? keys : null),
    nonce: () => serverNonce,
  });
}

async function conditionOf(promise: Promise<unknown>): Promise<SaslFailureCondition> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SaslFailure);
  return (err as SaslFailure).condition;
}

describe('client-first-message rejections', () => {
  it.each([
    ['empty message', ''],
    ['missing GS2 header', 'n=user,r=clientnonce'],
    ['unknown GS2 flag', 'x,,n=user,r=clientnonce'],
    ['channel binding requested (p=)', 'p=tls-unique,,n=user,r=clientnonce'],
    ['authzid without a=', 'n,user,n=user,r=clientnonce'],
    ['empty username', 'n,,n=,r=clientnonce'],
    ['missing username', 'n,,r=clientnonce'],
    ['escape other than =2C/=3D', 'n,,n=us=2Ber,r=clientnonce'],
    ['lower-case escape', 'n,,n=a=2cb,r=clientnonce'],
    ['bare = in username', 'n,,n=us=er,r=clientnonce'],
    ['truncated escape at end', 'n,,n=user=3,r=clientnonce'],
    ['bad escape in authzid', 'n,a=us=er,n=user,r=clientnonce'],
    ['missing nonce', 'n,,n=user'],
    ['empty nonce', 'n,,n=user,r='],
    ['non-printable nonce', 'n,,n=user,r=client\x7Fnonce'],
    ['space in nonce', 'n,,n=user,r=client nonce'],
    ['mandatory extension m=', 'n,,m=ext,n=user,r=clientnonce'],
    ['malformed extension', 'n,,n=user,r=clientnonce,foo'],
    ['NUL in message', 'n,,n=us\0er,r=clientnonce'],
    ['username SASLprep rejects (control char)', 'n,,n=us\u0007er,r=clientnonce'],
  ])('%s -> malformed-request', async (_name, message) => {
    expect(await conditionOf(server().start(Buffer.from(message, 'utf8')))).toBe('malformed-request');
  });

  it('invalid UTF-8 -> malformed-request', async () => {
    const message = Buffer.concat([Buffer.from('n,,n=us'), Buffer.from([0xc3, 0x28]), Buffer.from(',r=abc')]);
    expect(await conditionOf(server().start(message))).toBe('malformed-request');
  });

  it('a failed start ends the exchange', async () => {
    const s = server();
    await conditionOf(s.start(Buffer.from('garbage')));
    expect(await conditionOf(s.start(Buffer.from(`n,,${bare}`)))).toBe('malformed-request');
    expect(await conditionOf(s.finish(Buffer.from('c=biws,r=clientnonceservernonce,p=AAAA')))).toBe(
      'malformed-request',
    );
  });
});

describe('client-final-message rejections', () => {
  async function started(serverNonce = 'servernonce'): Promise<{ s: ScramServer; serverFirst: string }> {
    const s = server(serverNonce);
    const serverFirst = (await s.start(Buffer.from(`n,,${bare}`))).toString();
    return { s, serverFirst };
  }

  const good = (serverFirst: string): string =>
    scramClientFinal({ mechanism, password: 'pencil', clientFirstBare: bare, serverFirst }).clientFinal;
  const proofOf = (final: string): string => final.slice(final.indexOf(',p=') + 3);

  it('the untampered message passes (control for the cases below)', async () => {
    const { s, serverFirst } = await started();
    expect((await s.finish(Buffer.from(good(serverFirst)))).username).toBe('user');
  });

  it.each<[string, (serverFirst: string) => string, SaslFailureCondition]>([
    ['missing proof', () => 'c=biws,r=clientnonceservernonce', 'malformed-request'],
    ['proof not last', (sf) => `${good(sf)},x=y`, 'malformed-request'],
    ['non-base64 proof', () => 'c=biws,r=clientnonceservernonce,p=***', 'malformed-request'],
    ['unpadded proof', (sf) => good(sf).replace(/=+$/, ''), 'malformed-request'],
    ['proof of the wrong length', () => 'c=biws,r=clientnonceservernonce,p=AAAA', 'malformed-request'],
    ['empty proof', () => 'c=biws,r=clientnonceservernonce,p=', 'malformed-request'],
    ['missing channel binding', (sf) => good(sf).slice('c=biws,'.length), 'malformed-request'],
    ['non-base64 channel binding', (sf) => good(sf).replace('c=biws', 'c=b!ws'), 'malformed-request'],
    [
      'channel binding eSws for an n,, header',
      (sf) => good(sf).replace('c=biws', 'c=eSws'),
      'malformed-request',
    ],
    [
      'nonce without the server part',
      (sf) => good(sf).replace('clientnonceservernonce', 'clientnonce'),
      'not-authorized',
    ],
    [
      'nonce with a different server part',
      (sf) => good(sf).replace('servernonce', 'servernoncX'),
      'not-authorized',
    ],
    ['mandatory extension m=', (sf) => good(sf).replace(',p=', ',m=x,p='), 'malformed-request'],
    [
      'tampered proof',
      (sf) => good(sf).replace(/p=./, (m) => (m === 'p=A' ? 'p=B' : 'p=A')),
      'not-authorized',
    ],
  ])('%s', async (_name, make, condition) => {
    const { s, serverFirst } = await started();
    expect(await conditionOf(s.finish(Buffer.from(make(serverFirst))))).toBe(condition);
  });

  it.each<[string, { nonce?: string; gs2Header?: string }, SaslFailureCondition]>([
    ['correctly signed, but over the client nonce alone', { nonce: 'clientnonce' }, 'not-authorized'],
    ['correctly signed, but over a longer nonce', { nonce: 'clientnonceservernonceX' }, 'not-authorized'],
    ['correctly signed, but binding y,, after n,,', { gs2Header: 'y,,' }, 'malformed-request'],
    ['correctly signed, but binding n,a=user, after n,,', { gs2Header: 'n,a=user,' }, 'malformed-request'],
  ])('%s', async (_name, override, condition) => {
    const { s, serverFirst } = await started();
    const { clientFinal } = scramClientFinal({
      mechanism,
      password: 'pencil',
      clientFirstBare: bare,
      serverFirst,
      ...override,
    });
    expect(await conditionOf(s.finish(Buffer.from(clientFinal)))).toBe(condition);
  });

  it('a client-final replayed into an exchange with another server nonce -> not-authorized', async () => {
    const first = await started('servernonce');
    const recorded = good(first.serverFirst);
    await first.s.finish(Buffer.from(recorded));
    const second = await started('othernonce');
    expect(await conditionOf(second.s.finish(Buffer.from(recorded)))).toBe('not-authorized');
  });

  it('a proof computed for another nonce but sent with this nonce -> not-authorized', async () => {
    const first = await started('servernonce');
    const second = await started('othernonce');
    const forged = `c=biws,r=clientnonceothernonce,p=${proofOf(good(first.serverFirst))}`;
    expect(await conditionOf(second.s.finish(Buffer.from(forged)))).toBe('not-authorized');
  });
});

import { XmppClient } from './connection.js';
import type { ScenarioResult } from './report.js';
import { clientOptions, ErrorCounts, pool, userName, type Target } from './target.js';

export interface PopulateOptions {
  /** Register users 1 … target.users in band (XEP-0077) first (ejabberd, Prosody). */
  readonly register: boolean;
  /** Users 1 … vcards get a vCard (set by themselves, over XMPP). */
  readonly vcards: number;
  readonly concurrency: number;
  readonly maxSeconds: number;
}

/** A small realistic vCard (about 300 bytes), distinct per user. */
export function benchVcard(target: Target, index: number): string {
  const name = userName(target, index);
  return (
    `<vCard xmlns='vcard-temp'><FN>Bench User ${index}</FN><N><FAMILY>User</FAMILY><GIVEN>Bench${index}</GIVEN></N>` +
    `<NICKNAME>${name}</NICKNAME><EMAIL><INTERNET/><USERID>${name}@example.org</USERID></EMAIL>` +
    `<ORG><ORGNAME>Bench Org</ORGNAME></ORG><TITLE>Load tester</TITLE><DESC>vCard of ${name} for benchmarks</DESC></vCard>`
  );
}

/** Creates the bench accounts (optionally) and their vCards; bounded in time. */
export async function runPopulate(
  target: Target,
  label: string,
  o: PopulateOptions,
): Promise<ScenarioResult> {
  const errors = new ErrorCounts();
  const deadline = Date.now() + o.maxSeconds * 1000;
  const started = performance.now();
  let created = 0;
  let existed = 0;
  if (o.register) {
    await pool(target.users, o.concurrency, deadline, async (k) => {
      try {
        const outcome = await XmppClient.register(clientOptions(target, k + 1, 'reg'));
        if (outcome === 'created') created += 1;
        else existed += 1;
      } catch (err) {
        errors.addError(err);
      }
    });
  }
  let vcards = 0;
  await pool(o.vcards, o.concurrency, deadline, async (k) => {
    const index = k + 1;
    try {
      const client = await XmppClient.login(clientOptions(target, index, 'populate'));
      await new Promise<void>((resolve) => {
        client.sendIq(
          (id) => `<iq type='set' id='${id}'>${benchVcard(target, index)}</iq>`,
          (type, text) => {
            if (type === 'result') vcards += 1;
            else errors.add(`vcard set: ${text.slice(0, 120)}`);
            resolve();
          },
        );
        client.onClose(resolve);
      });
      await client.close(5000);
    } catch (err) {
      errors.addError(err);
    }
  });
  const seconds = (performance.now() - started) / 1000;
  return {
    scenario: 'populate',
    label,
    params: { users: target.users, register: o.register, vcards: o.vcards },
    ops: created + existed + vcards,
    seconds: Math.round(seconds * 1000) / 1000,
    rate: 0,
    errors: errors.counts,
    extra: { created, existed, vcards },
    at: new Date().toISOString(),
  };
}

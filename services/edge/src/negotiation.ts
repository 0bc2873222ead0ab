import { MECHANISMS } from '@onlinetime/scram';
import { NS, normalizeDomain, streamHeader, tryParseJid, xml, type Element } from '@onlinetime/stanza';

import type { Connection } from './connection.js';
import { newStreamId } from './stream-id.js';

export interface NegotiationPolicy {
  readonly domains: readonly string[];
  readonly starttls: boolean;
  readonly allowPlaintext: boolean;
}

/**
 * RFC 6120 §4.7: checks the client's stream header, answers with ours and the stream features for
 * the connection's state. Returns false when it closed the stream with an error.
 */
export function openStream(
  connection: Connection,
  attrs: Record<string, string>,
  name: string,
  policy: NegotiationPolicy,
): boolean {
  const prefix = name.includes(':') ? name.slice(0, name.indexOf(':')) : '';
  const local = name.slice(prefix === '' ? 0 : prefix.length + 1);
  const streamNs = prefix === '' ? attrs.xmlns : attrs[`xmlns:${prefix}`];
  const domain = streamDomain(attrs.to, policy.domains);
  connection.domain ??= domain ?? policy.domains[0] ?? 'localhost';
  connection.streamId = newStreamId();
  if (local !== 'stream' || streamNs !== NS.stream) {
    connection.streamError(
      'invalid-namespace',
      'the stream namespace must be http://etherx.jabber.org/streams',
      'error',
    );
    return false;
  }
  if (attrs.xmlns !== NS.client) {
    connection.streamError('invalid-namespace', 'the content namespace must be jabber:client', 'error');
    return false;
  }
  if (domain === null || domain !== connection.domain) {
    connection.streamError('host-unknown', 'this server does not serve that domain', 'error');
    return false;
  }
  const from = attrs.from === undefined ? null : tryParseJid(attrs.from);
  connection.write(
    streamHeader({
      from: domain,
      id: connection.streamId,
      to: from === null ? undefined : attrs.from,
      lang: /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(attrs['xml:lang'] ?? '') ? attrs['xml:lang'] : 'en',
    }),
  );
  connection.headerSent = true;
  if (!/^[1-9]\d*\.\d+$/.test(attrs.version ?? '')) {
    connection.streamError('unsupported-version', 'version 1.0 is required', 'error');
    return false;
  }
  connection.write(featuresText(connection, policy));
  return true;
}

const featuresCache = new WeakMap<NegotiationPolicy, Map<string, string>>();

/** The features' text: it depends only on the policy and the stream's state, so it is built once per state. */
export function featuresText(connection: Connection, policy: NegotiationPolicy): string {
  const state = `${connection.user === null ? 'n' : connection.session === null ? 'a' : 'b'}${connection.secure ? 's' : ''}`;
  let byState = featuresCache.get(policy);
  if (byState === undefined) {
    byState = new Map();
    featuresCache.set(policy, byState);
  }
  let text = byState.get(state);
  if (text === undefined) {
    text = features(connection, policy).toString();
    byState.set(state, text);
  }
  return text;
}

/** The normalised served domain of the header's `to` (the default when absent), or null. */
function streamDomain(to: string | undefined, domains: readonly string[]): string | null {
  if (to === undefined) return domains[0] ?? null;
  if (domains.includes(to)) return to; // served domains are normalised already
  try {
    const domain = normalizeDomain(to);
    return domains.includes(domain) ? domain : null;
  } catch {
    return null;
  }
}

/** Mechanisms offered on this connection: PLAIN only over TLS, nothing before TLS when TLS is required. */
export function offeredMechanisms(connection: Connection, policy: NegotiationPolicy): string[] {
  if (connection.secure) return [...MECHANISMS];
  if (!policy.allowPlaintext) return [];
  return MECHANISMS.filter((m) => m !== 'PLAIN');
}

export function features(connection: Connection, policy: NegotiationPolicy): Element {
  const el = xml('stream:features');
  if (connection.user !== null) {
    if (connection.session === null) {
      el.append(xml('bind', { xmlns: NS.bind }));
      el.append(xml('session', { xmlns: NS.session }, xml('optional')));
    }
    return el;
  }
  if (!connection.secure && policy.starttls) {
    const starttls = xml('starttls', { xmlns: NS.tls });
    if (!policy.allowPlaintext) starttls.append(xml('required'));
    el.append(starttls);
  }
  const mechanisms = offeredMechanisms(connection, policy);
  if (mechanisms.length > 0) {
    el.append(xml('mechanisms', { xmlns: NS.sasl }, ...mechanisms.map((m) => xml('mechanism', {}, m))));
  }
  return el;
}

/** Environment of the responder service (read by main/CLI through @onlinetime/config). */
import { COMMON_VARIABLES, parsers, type VariableSpec } from '@onlinetime/config';
import { normalizeDomain } from '@onlinetime/stanza';

export const DEFAULT_VCARD_MAX_BYTES = 64 * 1024;

/** The same parsing as the edge's XMPP_DOMAINS, so both agree on what is local. */
function domains(raw: string): string[] {
  return parsers.list(raw).map((d) => normalizeDomain(d));
}

export const RESPONDER_VARIABLES = {
  kafkaBrokers: COMMON_VARIABLES.kafkaBrokers,
  mysqlUrl: COMMON_VARIABLES.mysqlUrl,
  metricsPort: COMMON_VARIABLES.metricsPort,
  logLevel: COMMON_VARIABLES.logLevel,
  stopTimeoutMs: COMMON_VARIABLES.stopTimeoutMs,
  xmppDomains: {
    name: 'XMPP_DOMAINS',
    description:
      'served XMPP domains, comma-separated (local users; last activity of the server); as the edge',
    default: 'localhost',
    parse: domains,
  } satisfies VariableSpec<string[]>,
  vcardMaxBytes: {
    name: 'VCARD_MAX_BYTES',
    description: 'largest vCard stored, in bytes of XML; larger sets get not-acceptable',
    default: String(DEFAULT_VCARD_MAX_BYTES),
    parse: parsers.integer(1024, 16 * 1024 * 1024),
  } satisfies VariableSpec<number>,
} as const;

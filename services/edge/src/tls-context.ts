import { readFile } from 'node:fs/promises';
import { createSecureContext, type SecureContext } from 'node:tls';

import { OnlinetimeError } from '@onlinetime/errors';
import type { Logger } from '@onlinetime/logging';
import { generate } from 'selfsigned';

export interface TlsSettings {
  readonly certFile: string | undefined;
  readonly keyFile: string | undefined;
  /** Names put in a generated certificate (the served domains). */
  readonly domains: readonly string[];
}

const MIN_VERSION = 'TLSv1.2';

/**
 * The STARTTLS context: the configured PEM certificate and key, or — when neither is configured — a
 * self-signed certificate for the served domains generated now (with a warning: clients will not
 * trust it without extra settings). TLS 1.2 is the minimum.
 */
export async function loadTlsContext(settings: TlsSettings, logger: Logger): Promise<SecureContext> {
  const { certFile, keyFile } = settings;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new OnlinetimeError('CONFIG_INVALID', 'XMPP_TLS_CERT and XMPP_TLS_KEY must be set together');
  }
  if (certFile !== undefined && keyFile !== undefined) {
    const [cert, key] = await Promise.all([readFile(certFile), readFile(keyFile)]);
    try {
      return createSecureContext({ cert, key, minVersion: MIN_VERSION });
    } catch (err) {
      throw new OnlinetimeError(
        'CONFIG_INVALID',
        `XMPP_TLS_CERT/XMPP_TLS_KEY are not a usable PEM pair: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }
  const pems = await selfSigned(settings.domains);
  logger.warn(
    { domains: settings.domains, fingerprint: pems.fingerprint },
    'no XMPP_TLS_CERT/XMPP_TLS_KEY configured: using a self-signed certificate generated at startup',
  );
  return createSecureContext({ cert: pems.cert, key: pems.private, minVersion: MIN_VERSION });
}

async function selfSigned(
  domains: readonly string[],
): Promise<{ cert: string; private: string; fingerprint: string }> {
  const [first = 'localhost'] = domains;
  const notAfter = new Date(Date.now() + 365 * 24 * 3_600_000);
  return generate([{ name: 'commonName', value: first }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'subjectAltName', altNames: domains.map((value) => ({ type: 2 as const, value })) },
    ],
  });
}

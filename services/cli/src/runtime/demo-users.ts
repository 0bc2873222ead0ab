import { deriveScramKeys } from '@onlinetime/scram';
import type { Store } from '@onlinetime/store';

export interface DemoUser {
  readonly jid: string;
  readonly password: string;
  /** False when the user existed already (its password may have been changed since). */
  readonly created: boolean;
}

const DEMO = [
  { local: 'alice', password: 'alice-secret', nickname: 'Alice' },
  { local: 'bob', password: 'bob-secret', nickname: 'Bob' },
];

/** Demo accounts for a newcomer's first login; an existing account is left as it is. */
export async function createDemoUsers(store: Store, domain: string): Promise<DemoUser[]> {
  const users: DemoUser[] = [];
  for (const { local, password, nickname } of DEMO) {
    const jid = `${local}@${domain}`;
    const exists = (await store.users.existing([jid])).has(jid);
    if (!exists) {
      await store.users.add({
        jid,
        scram: {
          'SCRAM-SHA-1': deriveScramKeys('SCRAM-SHA-1', password),
          'SCRAM-SHA-256': deriveScramKeys('SCRAM-SHA-256', password),
        },
      });
      await store.vcards.put(jid, `<vCard xmlns="vcard-temp"><NICKNAME>${nickname}</NICKNAME></vCard>`);
    }
    users.push({ jid, password, created: !exists });
  }
  return users;
}

export function loginInstructions(options: {
  demo: readonly DemoUser[];
  port: number;
  host: string;
  config: { domains: readonly string[]; allowPlaintext: boolean };
  embeddedBus: boolean;
  memoryStore: boolean;
}): string {
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  const lines = [
    '',
    'onlinetime dev is running.',
    `  XMPP:     ${host}:${options.port}, domain${options.config.domains.length > 1 ? 's' : ''} ${options.config.domains.join(', ')}`,
    `  TLS:      STARTTLS with a self-signed certificate (accept it in your client)${options.config.allowPlaintext ? '; plaintext allowed' : ''}`,
    `  events:   ${options.embeddedBus ? 'embedded in-process log (set KAFKA_BROKERS for Kafka)' : 'Kafka'}`,
    `  storage:  ${options.memoryStore ? 'in memory, NOT persisted (set MYSQL_URL for MySQL)' : 'MySQL'}`,
    '  log in as:',
    ...options.demo.map((u) =>
      u.created
        ? `    ${u.jid}  password ${u.password}`
        : `    ${u.jid}  (existing account, password unchanged)`,
    ),
    `  e.g.  profanity → /connect ${options.demo[0]?.jid ?? ''} server ${host} port ${options.port}`,
    '  Ask for your online time: <iq type="get"><query xmlns="youbao:xmpp:onlinetime"/></iq>, or fetch a vCard.',
    '  Stop with Ctrl-C.',
    '',
  ];
  return lines.join('\n') + '\n';
}

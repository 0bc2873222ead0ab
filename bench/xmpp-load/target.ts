import { XmppClient, type ClientOptions } from './connection.js';
import type { ClientMechanism, ScramKeyCache } from './sasl-scram.js';

/** The server under test and its bench accounts: `${prefix}1` … `${prefix}${users}`, one password. */
export interface Target {
  readonly host: string;
  readonly port: number;
  readonly domain: string;
  readonly prefix: string;
  readonly users: number;
  readonly password: string;
  readonly mechanism: ClientMechanism | 'auto';
  readonly tls: boolean;
  readonly timeoutMs: number;
  readonly presence: boolean;
  readonly cache: ScramKeyCache;
}

export function userName(target: Target, index: number): string {
  return `${target.prefix}${index}`;
}

export function bareJid(target: Target, index: number): string {
  return `${target.prefix}${index}@${target.domain}`;
}

export function clientOptions(target: Target, index: number, resource: string): ClientOptions {
  return {
    host: target.host,
    port: target.port,
    domain: target.domain,
    user: userName(target, index),
    password: target.password,
    resource,
    mechanism: target.mechanism,
    tls: target.tls,
    timeoutMs: target.timeoutMs,
    cache: target.cache,
    presence: target.presence,
  };
}

/** Error counts by kind, for the report. */
export class ErrorCounts {
  readonly counts: Record<string, number> = {};

  add(kind: string, n = 1): void {
    this.counts[kind] = (this.counts[kind] ?? 0) + n;
  }

  addError(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.add(message.replace(/[0-9a-f]{8,}|\d+/g, 'N').slice(0, 80));
  }

  get total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }
}

/**
 * Runs `work(k)` for k = 0 … count-1 with at most `concurrency` in flight, until `deadline`
 * (epoch ms) passes: bounded in count and time.
 */
export async function pool(
  count: number,
  concurrency: number,
  deadline: number,
  work: (k: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < count && Date.now() < deadline) {
      const k = next;
      next += 1;
      await work(k);
      done += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
  return done;
}

/** Logs in users `indices` (concurrency bounded); failures are counted, not thrown. */
export async function loginAll(
  target: Target,
  indices: readonly number[],
  concurrency: number,
  errors: ErrorCounts,
  deadline: number,
): Promise<Array<{ index: number; client: XmppClient }>> {
  const clients: Array<{ index: number; client: XmppClient }> = [];
  await pool(indices.length, concurrency, deadline, async (k) => {
    const index = indices[k] ?? 1;
    try {
      clients.push({ index, client: await XmppClient.login(clientOptions(target, index, `bench${k}`)) });
    } catch (err) {
      errors.addError(err);
    }
  });
  return clients;
}

/** Closes every client politely (bounded), in parallel. */
export async function closeAll(
  clients: ReadonlyArray<{ client: XmppClient }>,
  timeoutMs = 5000,
): Promise<void> {
  await Promise.all(clients.map(({ client }) => client.close(timeoutMs)));
}

/** 1 … n */
export function range1(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

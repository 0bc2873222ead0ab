/** One XMPP server under test, as the comparison drives it. */
export interface ServerUnderTest {
  /** 'ejabberd' | 'prosody' | 'onlinetime' */
  readonly name: string;
  readonly port: number;
  readonly domain: string;
  /** One-time preparation (run directory, accounts storage); the server is not running after it. */
  prepare(): Promise<void>;
  /** Starts a fresh process and waits until it accepts clients. */
  start(): Promise<void>;
  /** Creates the bench accounts (and nothing else) while running; in-band registration or direct. */
  createAccounts(prefix: string, users: number, password: string): Promise<{ registerInBand: boolean }>;
  /** The process whose RSS is "the server" (for ours: the edge). */
  pid(): number;
  /** Every process doing the server's work, for CPU accounting (for ours: services, Kafka, MariaDB). */
  processes(): ReadonlyArray<{ readonly name: string; readonly pid: number }>;
  stop(): Promise<void>;
  /** Removes every trace (run directory, database); the server is stopped. */
  cleanup(): Promise<void>;
  /** Version string for BENCHMARKS.md. */
  version(): Promise<string>;
}

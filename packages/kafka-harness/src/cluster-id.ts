import { randomBytes } from 'node:crypto';

/**
 * A random KRaft cluster id as Kafka makes them (Uuid.randomUuid): 16 bytes in base64url, never
 * starting with '-', which kafka-storage's argument parser takes for an option (1 id in 64 would).
 */
export function newClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

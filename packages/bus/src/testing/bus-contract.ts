import { describe } from 'vitest';

import { groupContract } from './contract-groups.js';
import { publishContract } from './contract-publish.js';
import type { BusFactory } from './support.js';
import { topicsContract } from './contract-topics.js';

/**
 * The behaviour every Bus implementation owes its callers. Run against the embedded bus in unit
 * tests and against real Kafka in test/bus.int.test.ts. `makeBus` gives a fresh bus per test;
 * `cleanup` stops it (it may already be stopped) and releases whatever it holds.
 */
export function describeBusContract(name: string, makeBus: BusFactory): void {
  describe(`Bus contract: ${name}`, () => {
    describe('publish', () => publishContract(makeBus));
    describe('consumer groups', () => groupContract(makeBus));
    describe('topics and the log', () => topicsContract(makeBus));
  });
}

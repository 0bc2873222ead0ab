/** Runtime checks of the records crossing the store port (shared by MySQL and memory). */
import type { FinishedSession, OpenSession, UserState } from '@onlinetime/accounting';

import type { AccountingChanges, EdgeBoot, PartitionKey, ScramKeys, UserCredentials } from './types.js';
import {
  LIMITS,
  checkArray,
  checkBytes,
  checkInt,
  checkKey,
  checkMs,
  checkMsOrNull,
  checkOffset,
  checkText,
  checkTextOrNull,
  invalid,
} from './validate-values.js';

export const SCRAM_MECHANISMS = ['SCRAM-SHA-1', 'SCRAM-SHA-256'] as const;

function record(field: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) throw invalid(field, 'must be an object');
  return value as Record<string, unknown>;
}

function checkScramKeys(field: string, value: unknown): ScramKeys {
  const keys = record(field, value);
  return {
    salt: checkBytes(`${field}.salt`, keys['salt'], LIMITS.saltBytes),
    iterations: checkInt(`${field}.iterations`, keys['iterations'], 1, 2 ** 31 - 1),
    storedKey: checkBytes(`${field}.storedKey`, keys['storedKey'], LIMITS.keyBytes),
    serverKey: checkBytes(`${field}.serverKey`, keys['serverKey'], LIMITS.keyBytes),
  };
}

export function checkCredentials(value: unknown): UserCredentials {
  const creds = record('credentials', value);
  const scram = record('credentials.scram', creds['scram']);
  return {
    jid: checkKey('jid', creds['jid']),
    scram: {
      'SCRAM-SHA-1': checkScramKeys('scram.SCRAM-SHA-1', scram['SCRAM-SHA-1']),
      'SCRAM-SHA-256': checkScramKeys('scram.SCRAM-SHA-256', scram['SCRAM-SHA-256']),
    },
  };
}

export function checkPartitionKey(value: unknown): PartitionKey {
  const key = record('partition key', value);
  return {
    groupId: checkKey('groupId', key['groupId']),
    topic: checkKey('topic', key['topic'], LIMITS.topic),
    partition: checkInt('partition', key['partition'], 0, 2 ** 31 - 1),
  };
}

export function checkOpenSession(field: string, value: unknown): OpenSession {
  const s = record(field, value);
  return {
    sessionId: checkKey(`${field}.sessionId`, s['sessionId']),
    jid: checkKey(`${field}.jid`, s['jid']),
    resource: checkText(`${field}.resource`, s['resource'], LIMITS.resource),
    edgeId: checkKey(`${field}.edgeId`, s['edgeId']),
    bootId: checkKey(`${field}.bootId`, s['bootId']),
    ip: checkTextOrNull(`${field}.ip`, s['ip'], LIMITS.ip),
    startedAt: checkMs(`${field}.startedAt`, s['startedAt']),
  };
}

export function checkFinishedSession(field: string, value: unknown): FinishedSession {
  const s = record(field, value);
  return {
    sessionId: checkKey(`${field}.sessionId`, s['sessionId']),
    jid: checkKey(`${field}.jid`, s['jid']),
    resource: checkText(`${field}.resource`, s['resource'], LIMITS.resource),
    edgeId: checkKey(`${field}.edgeId`, s['edgeId']),
    bootId: checkKey(`${field}.bootId`, s['bootId']),
    ip: checkTextOrNull(`${field}.ip`, s['ip'], LIMITS.ip),
    startedAt: checkMsOrNull(`${field}.startedAt`, s['startedAt']),
    stoppedAt: checkMs(`${field}.stoppedAt`, s['stoppedAt']),
    reason: checkText(`${field}.reason`, s['reason'], LIMITS.reason),
  };
}

/** The online_time part of a state (its open sessions travel in `opened`/`finished`). */
export function checkUserState(field: string, value: unknown): UserState {
  const u = record(field, value);
  return {
    jid: checkKey(`${field}.jid`, u['jid']),
    totalMs: checkMs(`${field}.totalMs`, u['totalMs']),
    onlineSince: checkMsOrNull(`${field}.onlineSince`, u['onlineSince']),
    lastLogin: checkMsOrNull(`${field}.lastLogin`, u['lastLogin']),
    lastLogout: checkMsOrNull(`${field}.lastLogout`, u['lastLogout']),
    balanceMs: checkMsOrNull(`${field}.balanceMs`, u['balanceMs']),
    open: [],
  };
}

/** A validated deep copy: later mutation of the caller's states cannot reach what was saved. */
export function checkChanges(value: unknown): AccountingChanges {
  const c = record('changes', value);
  return {
    users: checkArray('users', c['users']).map((u, i) => checkUserState(`users[${i}]`, u)),
    opened: checkArray('opened', c['opened']).map((s, i) => checkOpenSession(`opened[${i}]`, s)),
    finished: checkArray('finished', c['finished']).map((s, i) => checkFinishedSession(`finished[${i}]`, s)),
    nextOffset: checkOffset('nextOffset', c['nextOffset']),
    writer: c['writer'] === undefined || c['writer'] === null ? null : checkKey('writer', c['writer'], 64),
  };
}

export function checkEdgeBoots(value: unknown): EdgeBoot[] {
  return checkArray('boots', value).map((item, i) => {
    const b = record(`boots[${i}]`, item);
    return {
      edgeId: checkKey(`boots[${i}].edgeId`, b['edgeId']),
      bootId: checkKey(`boots[${i}].bootId`, b['bootId']),
      startedAt: checkMs(`boots[${i}].startedAt`, b['startedAt']),
      lastHeartbeat: checkMs(`boots[${i}].lastHeartbeat`, b['lastHeartbeat']),
      stoppedAt: checkMsOrNull(`boots[${i}].stoppedAt`, b['stoppedAt']),
    };
  });
}

/** Lookups accept any strings (an odd key simply is not found); anything else is a programming error. */
export function checkLookup(field: string, value: unknown): string[] {
  const items = checkArray(field, value);
  items.forEach((item, i) => {
    if (typeof item !== 'string') throw invalid(`${field}[${i}]`, 'must be a string');
  });
  return [...new Set(items as string[])];
}

export function checkLimit(field: string, value: unknown, max: number): number {
  return checkInt(field, value, 1, max);
}

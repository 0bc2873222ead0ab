/**
 * Entry of an audit replay thread (audit-replay.ts starts it): replays its share of the partitions
 * with a Kafka reader of its own and posts the users' states back. Runs when the thread starts.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { createReplayAccumulator } from '@onlinetime/accounting';
import { isOnlinetimeError } from '@onlinetime/errors';
import { createLogger } from '@onlinetime/logging';

import type { ReplayWorkerData, ReplayWorkerMessage } from './audit-replay.js';
import { openBus } from './environment.js';
import { replaySessions, type ReplayStats } from './replay-sessions.js';

/** Often enough for the progress bar's 100 ms redraws. */
const PROGRESS_EVERY_MS = 100;

async function replayShare(
  data: ReplayWorkerData,
  post: (message: ReplayWorkerMessage) => void,
): Promise<void> {
  const logger = createLogger({
    name: 'onlinetime-audit',
    level: data.logLevel,
    destination: process.stderr,
  });
  const bus = openBus(data.brokers, 'audit', logger);
  const accumulator = createReplayAccumulator();
  // Progress is summed and posted a few times a second: a message per batch costs more (measured).
  let unsent = 0;
  let sentAt = Date.now();
  let stats: ReplayStats;
  try {
    stats = await replaySessions({
      bus,
      topic: data.topic,
      marks: data.marks,
      onlyMarked: true,
      apply: (event) => accumulator.apply(event),
      ...(data.window === null ? {} : { window: data.window }),
      afterBatch: (messages) => {
        unsent += messages;
        const now = Date.now();
        if (now - sentAt < PROGRESS_EVERY_MS) return;
        post({ kind: 'batch', messages: unsent });
        unsent = 0;
        sentAt = now;
      },
    });
  } finally {
    await bus.stop();
  }
  if (unsent > 0) post({ kind: 'batch', messages: unsent });
  // Posted once the reader is closed: the main thread may end this thread as soon as it has it.
  post({ kind: 'done', users: [...accumulator.users.values()], stats });
}

const port = parentPort;
if (port !== null) {
  replayShare(workerData as ReplayWorkerData, (message) => port.postMessage(message)).catch(
    (err: unknown) => {
      const error = isOnlinetimeError(err)
        ? { code: err.code, message: err.message, retriable: err.retriable }
        : { code: null, message: String((err as Error).stack ?? err), retriable: false };
      port.postMessage({ kind: 'failed', error } satisfies ReplayWorkerMessage);
    },
  );
}

import type { Bus } from '@onlinetime/bus';
import type { SessionsEvent } from '@onlinetime/events';
import { decodeSessionsMessage, Rejection } from '@onlinetime/sessions';

/** Low and high watermark of one partition, captured once when a replay starts. */
export interface PartitionMarks {
  readonly partition: number;
  readonly low: string;
  readonly high: string;
}

export interface InvalidSample {
  readonly partition: number;
  readonly offset: string;
  readonly error: string;
}

export interface ReplayStats {
  /** Messages handed over below the captured watermarks. */
  readonly read: number;
  /** Events applied (valid, inside the window). */
  readonly applied: number;
  /** Messages that are not valid sessions events (skipped, as the worker does). */
  readonly invalid: number;
  /** The first few invalid messages, for the report. */
  readonly invalidSamples: readonly InvalidSample[];
  /** Valid events outside --from/--to. */
  readonly outsideWindow: number;
}

export interface ReplayOptions {
  readonly bus: Bus;
  readonly topic: string;
  /** From captureWatermarks: messages at or above a partition's high mark are ignored. */
  readonly marks: readonly PartitionMarks[];
  /** Read only the partitions of `marks` (a reader of some partitions); default: read all. */
  readonly onlyMarked?: boolean;
  /** Applied in log order per partition. */
  readonly apply: (event: SessionsEvent) => void;
  /** Envelope `at` bounds: from inclusive, to exclusive; null = unbounded. */
  readonly window?: { readonly from: number | null; readonly to: number | null };
  /** After each batch (e.g. progress, flushing buffered rows). */
  readonly afterBatch?: (messages: number) => void | Promise<void>;
}

const MAX_SAMPLES = 20;

export async function captureWatermarks(bus: Bus, topic: string): Promise<PartitionMarks[]> {
  const [description] = await bus.describeTopics([topic]);
  return (description?.partitions ?? []).map(({ partition, low, high }) => ({ partition, low, high }));
}

export function messagesBelow(marks: readonly PartitionMarks[]): number {
  return marks.reduce((sum, m) => sum + Number(BigInt(m.high) - BigInt(m.low)), 0);
}

/**
 * Streams the log through `apply`, up to the watermarks captured beforehand: events published while
 * the replay runs are not part of it. Memory: one fetched batch at a time, plus whatever `apply` keeps.
 */
export async function replaySessions(options: ReplayOptions): Promise<ReplayStats> {
  const highs = new Map(options.marks.map((m) => [m.partition, BigInt(m.high)]));
  const from = options.window?.from ?? null;
  const to = options.window?.to ?? null;
  const windowed = from !== null || to !== null;
  const samples: InvalidSample[] = [];
  let read = 0;
  let applied = 0;
  let invalid = 0;
  let outsideWindow = 0;

  await options.bus.readLog({
    topic: options.topic,
    ...(options.onlyMarked === true ? { partitions: options.marks.map((m) => m.partition) } : {}),
    handleBatch: async (batch) => {
      const { messages } = batch;
      const last = messages[messages.length - 1];
      if (last === undefined) return;
      // Offsets only grow within a batch: only one straddling the high mark compares each offset.
      const high = highs.get(batch.partition) ?? 0n;
      const whole = BigInt(last.offset) < high;
      let counted = 0;
      for (let i = 0; i < messages.length; i++) {
        const message = messages[i]!;
        if (!whole && BigInt(message.offset) >= high) continue;
        counted += 1;
        // The worker's own decoding (schema and storability rules): what it skips, the replay skips.
        const decoded = decodeSessionsMessage(message.value);
        if (decoded instanceof Rejection) {
          invalid += 1;
          if (samples.length < MAX_SAMPLES)
            samples.push({ partition: batch.partition, offset: message.offset, error: decoded.reason });
          continue;
        }
        if (windowed && ((from !== null && decoded.at < from) || (to !== null && decoded.at >= to))) {
          outsideWindow += 1;
          continue;
        }
        options.apply(decoded);
        applied += 1;
      }
      read += counted;
      await options.afterBatch?.(counted);
    },
  });
  return { read, applied, invalid, invalidSamples: samples, outsideWindow };
}

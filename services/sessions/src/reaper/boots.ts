import type { EdgesEvent } from '@onlinetime/events';
import type { EdgeBoot } from '@onlinetime/store';

interface MutableBoot {
  edgeId: string;
  bootId: string;
  startedAt: number;
  lastHeartbeat: number;
  stoppedAt: number | null;
}

/**
 * Folds a batch of xmpp.edges events into one row per edge boot. Every event of a boot counts as a
 * sign of life; `edge.started` sets its start, `edge.stopped` its stop. A boot first heard of by a
 * heartbeat (its start fell out of retention) starts at that heartbeat.
 */
export function foldEdgeEvents(events: readonly EdgesEvent[]): EdgeBoot[] {
  const boots = new Map<string, MutableBoot>();
  for (const event of events) {
    const { edgeId, bootId } = event.payload;
    const key = `${edgeId}\u0000${bootId}`;
    let boot = boots.get(key);
    if (boot === undefined) {
      boot = { edgeId, bootId, startedAt: event.at, lastHeartbeat: event.at, stoppedAt: null };
      boots.set(key, boot);
    }
    boot.lastHeartbeat = Math.max(boot.lastHeartbeat, event.at);
    if (event.type === 'edge.started') boot.startedAt = event.at;
    else boot.startedAt = Math.min(boot.startedAt, event.at);
    if (event.type === 'edge.stopped') boot.stoppedAt = event.at;
  }
  return [...boots.values()];
}

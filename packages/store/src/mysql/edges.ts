/** EdgesRepository on edge_boots. */
import type { EdgeBoot, EdgesRepository } from '../types.js';
import { checkEdgeBoots } from '../validate-records.js';
import { msOf, msOrNullOf, textOf } from './rows.js';
import { insertRows, type Db } from './sql.js';

export function createMysqlEdges(db: Db): EdgesRepository {
  return {
    async all(): Promise<EdgeBoot[]> {
      const rows = await db.select(
        'edges.all',
        'SELECT edge_id, boot_id, started_at, last_heartbeat, stopped_at FROM edge_boots ORDER BY edge_id, boot_id',
        [],
      );
      return rows.map((r) => ({
        edgeId: textOf(r, 'edge_id'),
        bootId: textOf(r, 'boot_id'),
        startedAt: msOf(r, 'started_at'),
        lastHeartbeat: msOf(r, 'last_heartbeat'),
        stoppedAt: msOrNullOf(r, 'stopped_at'),
      }));
    },
    async record(boots) {
      // Heartbeats only move forward and a known stop is never forgotten; the earliest start wins.
      // Rows of one statement apply in order, so duplicates within a batch merge the same way.
      // VALUES(col) rather than MySQL 8.0.19's row alias: MariaDB 10.11 has no alias syntax.
      await insertRows(
        db,
        'edges.record',
        (
          rows,
        ) => `INSERT INTO edge_boots (edge_id, boot_id, started_at, last_heartbeat, stopped_at) VALUES ${rows}
          ON DUPLICATE KEY UPDATE
            started_at = LEAST(started_at, VALUES(started_at)),
            last_heartbeat = GREATEST(last_heartbeat, VALUES(last_heartbeat)),
            stopped_at = COALESCE(VALUES(stopped_at), stopped_at)`,
        5,
        checkEdgeBoots(boots),
        (b) => [b.edgeId, b.bootId, b.startedAt, b.lastHeartbeat, b.stoppedAt],
      );
    },
  };
}

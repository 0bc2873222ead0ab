import type { CommandContext } from '../command.js';
import type { AuditResult } from './audit-run.js';
import type { ComparedValues, Difference } from './compare-totals.js';
import { printJson, say } from './output.js';
import type { PartitionMarks } from './replay-sessions.js';
import { isoOrDash } from './time.js';

function marksText(marks: readonly PartitionMarks[]): string {
  return marks.map((m) => `${m.partition}:${m.high}`).join(' ');
}

function value(side: ComparedValues | null, field: keyof ComparedValues): string {
  if (side === null) return '(none)';
  const v = side[field];
  if (v === null) return '-';
  return field === 'onlineSince' ? `${v} (${isoOrDash(v)})` : String(v);
}

function differenceLine(d: Difference): string {
  const names = { totalMs: 'total_ms', onlineSince: 'online_since', balanceMs: 'balance_ms' } as const;
  const parts = (['totalMs', 'onlineSince', 'balanceMs'] as const).map(
    (f) => `${names[f]} live=${value(d.live, f)} log=${value(d.log, f)}${d.fields.includes(f) ? ' *' : ''}`,
  );
  const side = d.live === null ? ' [no live row]' : d.log === null ? ' [no events in the log]' : '';
  return `  ${d.jid}${side}: ${parts.join('; ')}`;
}

/** Human lines or one JSON object on stdout; warnings on stderr. */
export function printAudit(context: CommandContext, result: AuditResult, json: boolean): void {
  if (result.kind === 'refused') {
    const behind = result.lags.filter((l) => l.behind > 0);
    if (json)
      printJson(context, {
        status: 'refused',
        reason: 'worker-behind',
        watermarks: result.marks,
        lags: result.lags,
      });
    context.stderr.write(
      `onlinetime audit: refused: the sessions worker has not applied the log up to its end ` +
        `(${behind.map((l) => `partition ${l.partition}: recorded ${l.recorded ?? 'nothing'}, end ${l.high}`).join('; ')}). ` +
        'Wait for it, start it, or pass --allow-lag.\n',
    );
    return;
  }
  const r = result.replay;
  if (r.invalid > 0) {
    context.stderr.write(
      `onlinetime audit: ${r.invalid} invalid events skipped (as the worker skips them), e.g.:\n`,
    );
    for (const s of r.invalidSamples.slice(0, 5))
      context.stderr.write(`  partition ${s.partition} offset ${s.offset}: ${s.error}\n`);
  }
  if (result.kind === 'window') {
    if (json) {
      printJson(context, {
        status: 'window',
        events: r.applied,
        read: r.read,
        invalid: r.invalid,
        outsideWindow: r.outsideWindow,
        end: result.end,
        users: result.totals,
      });
      return;
    }
    say(
      context,
      `window report of ${r.applied} events (${r.outsideWindow} outside the window, ${r.invalid} invalid), log end ${marksText(result.marks)}`,
    );
    say(context, `users: ${result.totals.length}`);
    for (const t of result.totals)
      say(context, `  ${t.jid}\t${t.ms} ms\t${t.minutes} min${t.onlineAtEnd ? '\t(online at the end)' : ''}`);
    return;
  }
  const c = result.comparison;
  if (result.lagAtStart > 0) {
    context.stderr.write(
      `onlinetime audit: warning: audited with the worker ${result.lagAtStart} events behind (--allow-lag): its lag shows as differences\n`,
    );
  }
  if (result.aheadAtEnd > 0 && c.differing > 0) {
    context.stderr.write(
      `onlinetime audit: warning: the worker applied ${result.aheadAtEnd} events past the audited end while the audit ran; ` +
        'differences of users active meanwhile may be false. Re-run on a quiet system to be sure.\n',
    );
  }
  if (json) {
    printJson(context, {
      status: c.differing > 0 ? 'differences' : 'ok',
      watermarks: result.marks,
      events: r.applied,
      read: r.read,
      invalid: r.invalid,
      usersChecked: c.checked,
      usersDiffering: c.differing,
      differences: c.differences,
      differencesShown: c.differences.length,
      workerLagAtStart: result.lagAtStart,
      workerAheadAtEnd: result.aheadAtEnd,
      elapsedMs: result.elapsedMs,
    });
    return;
  }
  say(
    context,
    `audited ${r.applied} events of the log up to ${marksText(result.marks)}${r.invalid > 0 ? ` (${r.invalid} invalid skipped)` : ''}`,
  );
  say(context, `users checked: ${c.checked}`);
  say(context, `users differing: ${c.differing}`);
  for (const d of c.differences) say(context, differenceLine(d));
  if (c.differing > c.differences.length)
    say(context, `  ... and ${c.differing - c.differences.length} more (--show N)`);
}

import type { CommandContext } from '../command.js';
import type { ImportCounts, ImportReport } from './import-ejabberd-run.js';
import { printJson, say } from './output.js';

function line(name: string, c: ImportCounts, imported: string): string {
  return `${name}: ${c.read} read, ${c.imported} ${imported}, ${c.kept} already present (kept), ${c.rejected} not imported`;
}

export function printImportReport(context: CommandContext, report: ImportReport, json: boolean): void {
  if (json) {
    printJson(context, report);
    return;
  }
  const s = report.schema;
  const shape = (present: boolean, detail: string): string => (present ? detail : 'missing');
  say(
    context,
    `ejabberd schema: users ${shape(s.users !== null, `(${[s.users?.serverHost ? 'server_host' : 'single host', s.users?.type ? 'multi-hash' : s.users?.scram ? 'scram columns' : 'plaintext only'].join(', ')})`)}, ` +
      `vcard ${shape(s.vcard !== null, s.vcard?.serverHost ? '(server_host)' : '(single host)')}, youbao_onlinetime ${shape(s.onlineTime !== null, 'present')}`,
  );
  const m = report.users.mechanisms;
  say(
    context,
    `${line('users', report.users, 'imported')} (SCRAM-SHA-1 and -256: ${m.both}, SCRAM-SHA-1 only: ${m['SCRAM-SHA-1']}, SCRAM-SHA-256 only: ${m['SCRAM-SHA-256']})`,
  );
  say(context, line('vcards', report.vcards, 'imported'));
  say(context, line('balances', report.balances, 'published as balance.opened'));
  if (report.rejected.length > 0) {
    say(context, 'not imported:');
    for (const r of report.rejected) say(context, `  ${r.table} ${JSON.stringify(r.username)}: ${r.reason}`);
  }
}

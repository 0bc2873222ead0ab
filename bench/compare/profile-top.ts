#!/usr/bin/env node
/**
 * Summarises V8 CPU profiles (node --cpu-prof): self time per function and per package, so a
 * benchmark result can say where the time goes. `node bench/dist/compare/profile-top.js FILE.cpuprofile… [--top 25]`
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** `packages/stanza`, `services/edge`, `node_modules/kafkajs`, `node:internal`, `(gc)` … */
function area(url: string, name: string): string {
  if (url === '') return `(${name.replace(/[()]/g, '') || 'native'})`;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm !== null) return `node_modules/${nm[1]}`;
  const ours = /\/((?:packages|services)\/[^/]+)\//.exec(url);
  if (ours !== null) return ours[1] ?? url;
  if (url.startsWith('node:')) return 'node:internal';
  return url.replace(/^file:\/\//, '');
}

export function summarise(profile: Profile, top: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const fn = new Map<string, number>();
  const areas = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    if (node === undefined) return;
    const { functionName, url, lineNumber } = node.callFrame;
    const a = area(url, functionName);
    const key = `${functionName || '(anonymous)'}  ${a}${url === '' ? '' : `:${lineNumber + 1}`}`;
    fn.set(key, (fn.get(key) ?? 0) + dt);
    areas.set(a, (areas.get(a) ?? 0) + dt);
    total += dt;
  });
  const pct = (t: number): string => `${((100 * t) / total).toFixed(1).padStart(5)}%`;
  const sorted = (m: Map<string, number>): Array<[string, number]> =>
    [...m].sort((x, y) => y[1] - x[1]).slice(0, top);
  return [
    `total sampled ${(total / 1e6).toFixed(1)} s`,
    'by area (self time):',
    ...sorted(areas).map(([k, t]) => `  ${pct(t)}  ${k}`),
    'by function (self time):',
    ...sorted(fn).map(([k, t]) => `  ${pct(t)}  ${k}`),
  ].join('\n');
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' } },
});
for (const file of positionals) {
  process.stdout.write(
    `== ${file}\n${summarise(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(values.top))}\n\n`,
  );
}

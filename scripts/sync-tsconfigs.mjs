// Writes each workspace's tsconfig.json (composite, references from its @onlinetime/* dependencies)
// and the root tsconfig.build.json, so `tsc -b` builds in dependency order. Run after adding a package.
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['packages', 'services'];
const dirs = new Map();
for (const root of roots) {
  for (const name of readdirSync(root)) {
    const pkgFile = join(root, name, 'package.json');
    if (!existsSync(pkgFile)) continue;
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
    dirs.set(pkg.name, { dir: join(root, name), pkg });
  }
}
for (const { dir, pkg } of dirs.values()) {
  const deps = Object.keys({ ...pkg.dependencies }).filter((d) => dirs.has(d));
  const config = {
    extends: '../../tsconfig.base.json',
    compilerOptions: { composite: true, rootDir: 'src', outDir: 'dist' },
    include: ['src'],
    exclude: ['src/**/*.test.ts', 'src/**/testing/**'],
    references: deps.map((d) => ({ path: `../../${dirs.get(d).dir}` })),
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config, null, 2) + '\n');
}
const build = { files: [], references: [...dirs.values()].map(({ dir }) => ({ path: `./${dir}` })) };
writeFileSync('tsconfig.build.json', JSON.stringify(build, null, 2) + '\n');

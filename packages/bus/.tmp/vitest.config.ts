import { defineConfig } from 'vitest/config';
const conditions = ['source', 'node', 'import', 'default'];
export default defineConfig({
  root: '/work/main',
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['source'] } },
  test: {
    include: [process.env['BUS_TMP_INCLUDE'] ?? 'test/bus.int.test.ts'],
    globalSetup: ['packages/bus/.tmp/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});

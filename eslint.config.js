import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Boundaries: each third-party client is imported by exactly one package of ours.
const restricted = (allowed) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: [
        { name: 'kafkajs', message: 'kafkajs is imported only in packages/bus' },
        { name: 'mysql2', message: 'mysql2 is imported only in packages/store' },
        { name: 'mysql2/promise', message: 'mysql2 is imported only in packages/store' },
        { name: 'pino', message: 'pino is imported only in packages/logging' },
        { name: 'prom-client', message: 'prom-client is imported only in packages/metrics' },
      ].filter((p) => !allowed.includes(p.name)),
      patterns: [{ group: ['@onlinetime/*/src/*'], message: 'import the package entry, not its files' }],
    },
  ],
});

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.cache/**', 'bench/**/*.js', '**/bin/**', 'scripts/**'] },
  js.configs.recommended,
  { files: ['**/*.js', '**/*.mjs'], languageOptions: { globals: globals.node } },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      ...restricted([]),
    },
  },
  { files: ['packages/bus/**'], rules: restricted(['kafkajs']) },
  { files: ['packages/store/**'], rules: restricted(['mysql2', 'mysql2/promise']) },
  { files: ['packages/logging/**'], rules: restricted(['pino']) },
  { files: ['packages/metrics/**'], rules: restricted(['prom-client']) },
  { files: ['test/**', 'bench/**', '**/*.test.ts'], rules: { 'no-console': 'off' } },
);

import neostandard from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['**/dist/**', '**/node_modules/**', '**/.turbo/**', '**/data/**'] }),
  {
    // Configuration is read in one place per service; everything else receives a typed object.
    files: ['apps/*/src/**/*.ts'],
    ignores: ['apps/*/src/config.ts', 'apps/*/src/server.ts', 'apps/*/src/cli/**'],
    rules: { 'n/no-process-env': 'error' }
  }
]

import neostandard from 'neostandard'

// Lines in source stay within 120 characters (Fastify core's limit). Only a comment line that is nothing but a URL
// is exempt: a link cannot be broken without breaking it. Strings and template literals are not exempt: they can
// always be split or named.
const maxLineLength = ['error', { code: 120, tabWidth: 2, ignorePattern: String.raw`^\s*(//|\*)\s*https?://\S+$` }]

export default [
  ...neostandard({ ts: true, ignores: ['**/dist/**', '**/node_modules/**', '**/.turbo/**', '**/data/**'] }),
  {
    // Configuration is read in one place per service; everything else receives a typed object.
    files: ['apps/*/src/**/*.ts'],
    // apps/web keeps its server under src/server (its page is src/client).
    ignores: ['apps/*/src/config.ts', 'apps/*/src/server.ts', 'apps/*/src/cli/**', 'apps/web/src/server/server.ts'],
    rules: { 'n/no-process-env': 'error' }
  },
  {
    files: ['apps/*/src/**/*.ts', 'packages/*/src/**/*.ts', 'bench/src/**/*.ts', 'tests/*/src/**/*.ts'],
    rules: { '@stylistic/max-len': maxLineLength }
  }
]

import { defineConfig, type Plugin } from 'vite'

/**
 * `pnpm dev`: Vite serves the page from source, so it also answers `/config.json` as the real server
 * does (src/server/app.ts), from the same variables and defaults. The dev server sends no CSP: the
 * built page under `pnpm start` is the one the browser tests check.
 */
const devConfig = (): Plugin => ({
  name: 'web-dev-config',
  configureServer (server) {
    server.middlewares.use('/config.json', (_request, response) => {
      response.setHeader('content-type', 'application/json')
      response.setHeader('cache-control', 'no-store')
      response.end(JSON.stringify({
        issuer: process.env.ISSUER ?? 'http://localhost:3001',
        consumerUrl: process.env.CONSUMER_URL ?? 'http://localhost:3000',
        clientId: process.env.CLIENT_ID ?? 'web-app'
      }))
    })
  }
})

// The page lives in src/client; the built files go where the server (src/server) serves them from.
export default defineConfig({
  root: 'src/client',
  plugins: [devConfig()],
  // The origin registered with the auth service (apps/web/README.md), as under `pnpm start`.
  server: { host: '127.0.0.1', port: 8080, strictPort: true },
  build: {
    outDir: '../../dist/public',
    emptyOutDir: true,
    // No inline `<script>` or data: URLs: the CSP allows scripts and styles from 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false }
  }
})

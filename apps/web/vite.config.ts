import { defineConfig } from 'vite'

// The page lives in src/client; the built files go where the server (src/server) serves them from.
export default defineConfig({
  root: 'src/client',
  build: {
    outDir: '../../dist/public',
    emptyOutDir: true,
    // No inline `<script>` or data: URLs: the CSP allows scripts and styles from 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false }
  }
})

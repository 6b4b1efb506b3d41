import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // Two service processes and a browser: one file at a time keeps a 2-core machine responsive.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})

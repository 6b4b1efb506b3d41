import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // Each file starts real processes; running files one at a time keeps a 2-core machine responsive.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})

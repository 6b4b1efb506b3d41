import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    fileParallelism: false,
    // Building both images on a cold cache takes minutes on a 2-core machine.
    hookTimeout: 600_000,
    testTimeout: 120_000
  }
})

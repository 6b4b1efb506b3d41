import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // Pure functions and one child process per test: nothing shared to isolate.
    isolate: false
  }
})

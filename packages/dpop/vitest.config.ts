import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // The files share no global state (each builds its own apps, clocks are restored per test):
    // reusing workers saves a module graph load per file.
    isolate: false
  }
})

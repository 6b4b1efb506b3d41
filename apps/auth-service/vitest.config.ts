import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // The files share no global state (each builds its own apps, clocks are restored per test):
    // reusing workers saves a module graph load per file.
    isolate: false,
    // Many cases hash passwords with scrypt (demo users at every app start, logins), some start
    // processes: on a 2-core CI machine under load such a case takes 5 s, vitest's default limit.
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // A real PostgreSQL server for the tests that run on both engines.
    globalSetup: ['@repo/service-harness/postgres-global-setup']
  }
})

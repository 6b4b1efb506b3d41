import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // Each file starts real processes; running files one at a time keeps a 2-core machine responsive.
    fileParallelism: false,
    // A case starts up to three replicas and a consumer, kills and restarts some: 10–25 s on two
    // loaded cores, which left a 30 s limit too little room.
    testTimeout: 60_000,
    // Above the harness's 60 s wait for a started service to be ready.
    hookTimeout: 90_000
  }
})

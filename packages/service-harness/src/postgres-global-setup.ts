import type { TestProject } from 'vitest/node'
import { startPostgresServer } from './postgres-server.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser URL of the PostgreSQL server the store tests create their databases on. */
    postgresAdminUrl: string
  }
}

/**
 * A vitest `globalSetup`: one real PostgreSQL server for the whole run (well under a second to
 * start), its admin URL provided as `postgresAdminUrl`; each test creates a database of its own
 * with `createTestDatabase(inject('postgresAdminUrl'))`.
 */
export default async function setup (project: TestProject) {
  const server = await startPostgresServer()
  project.provide('postgresAdminUrl', server.adminUrl)
  return () => server.stop()
}

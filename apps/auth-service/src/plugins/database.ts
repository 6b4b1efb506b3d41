import type { DatabaseSync } from 'node:sqlite'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { openAuthDatabase } from '../db/open-auth-database.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The auth database: users and signing keys, under DATA_DIR. */
    db: DatabaseSync
  }
}

export interface DatabasePluginOptions {
  dataDir: string
}

/** Opens the auth database (creating it on first start) and closes it when the app closes. */
export const databasePlugin = fp(async function database (app: FastifyInstance, { dataDir }: DatabasePluginOptions) {
  const db = openAuthDatabase(dataDir)
  app.decorate('db', db)
  // onClose hooks run last-registered first: everything that uses the database has stopped by now.
  app.addHook('onClose', async () => db.close())
}, { name: 'database' })

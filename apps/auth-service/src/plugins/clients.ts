import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { ClientStore } from '../clients/client-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Registered OAuth 2.0 clients (the clients CLI adds them). */
    clients: ClientStore
  }
}

export const clientsPlugin = fp(async function clients (app: FastifyInstance) {
  app.decorate('clients', new ClientStore(app.db))
}, { name: 'clients', dependencies: ['database'] })

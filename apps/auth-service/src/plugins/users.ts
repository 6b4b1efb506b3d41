import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { seedDemoUsers } from '../users/demo-users.js'
import { UserStore } from '../users/user-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    users: UserStore
  }
}

export interface UsersPluginOptions {
  /** Create the walkthrough's demo users in a database that has no users yet. */
  seedDemoUsers: boolean
}

/** The user store on the auth database, with the demo users seeded when asked. */
export const usersPlugin = fp(async function users (app: FastifyInstance, options: UsersPluginOptions) {
  const users = new UserStore(app.db)
  if (options.seedDemoUsers) {
    const seeded = await seedDemoUsers(users)
    if (seeded > 0) app.log.warn({ seeded }, 'demo users created (set SEED_DEMO_USERS=false outside a demo)')
  }
  app.decorate('users', users)
}, { name: 'users', dependencies: ['database'] })

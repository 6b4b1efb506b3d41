import type { Role } from '@repo/contracts/scopes'
import { DuplicateUserError, type UserStore } from './user-store.js'

/** The users of the README walkthrough. Seeded only into a new database, and only when enabled. */
export const DEMO_USERS: ReadonlyArray<{ userName: string, password: string, role: Role }> = [
  { userName: 'John', password: 'testpass', role: 'read' },
  { userName: 'Jane', password: 'pass123', role: 'write' }
]

export async function seedDemoUsers (users: UserStore): Promise<number> {
  if (await users.count() > 0) return 0
  let added = 0
  for (const demo of DEMO_USERS) {
    try {
      await users.add(demo.userName, demo.password, demo.role)
      added++
    } catch (error) {
      // Another process starting on the same DATA_DIR seeded it first.
      if (!(error instanceof DuplicateUserError)) throw error
    }
  }
  return added
}

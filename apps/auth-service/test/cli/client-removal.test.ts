import { describe, expect, it } from 'vitest'
import { CAEP_SESSION_REVOKED } from '@repo/contracts/ssf'
import { removeClientAndTell } from '../../src/cli/client-removal.js'
import type { ClientsContext } from '../../src/cli/clients-commands.js'
import { ClientStore } from '../../src/clients/client-store.js'
import { SignalLog } from '../../src/signals/signal-log.js'
import { ENGINES, freshLocation, openTestDatabase, type Engine } from '../databases.js'
import { recordedEvents } from '../signals/recorded-events.js'
import { refusal } from './refusal.js'

const NOW = Date.UTC(2030, 0, 1) + 1500

describe.each(ENGINES)('clients remove, on %s', (engine: Engine) => {
  async function context () {
    const db = await openTestDatabase(await freshLocation(engine))
    const printed: string[] = []
    const ctx: ClientsContext = {
      store: new ClientStore(db),
      print: (line) => printed.push(line),
      defaultAudience: 'consumer-service',
      issuer: 'https://auth.example',
      tokenTtlSeconds: 900,
      now: () => NOW
    }
    await ctx.store.add({
      clientId: 'reports-bot',
      authMethod: 'client_secret_basic',
      jwks: undefined,
      jwksUri: undefined,
      scope: 'reports:read',
      audience: 'consumer-service',
      grantTypes: ['client_credentials']
    }, NOW)
    return { db, ctx, printed, signals: new SignalLog(db, () => NOW) }
  }

  it('records session-revoked for {application} by an admin, and removes the client', async () => {
    const { db, ctx, printed, signals } = await context()
    await removeClientAndTell(ctx, signals, 'reports-bot')
    expect(await ctx.store.find('reports-bot')).toBeUndefined()
    expect((await recordedEvents(db)).map(({ type, subject, payload }) => ({ type, subject, payload }))).toEqual([{
      type: CAEP_SESSION_REVOKED,
      subject: { format: 'complex', application: { format: 'opaque', id: 'reports-bot' } },
      payload: { event_timestamp: Math.floor(NOW / 1000), initiating_entity: 'admin', reason_admin: { en: 'client removed' } }
    }])
    expect(printed.at(-1)).toBe('consumers with a stream are told session-revoked for every token of reports-bot and refuse them within seconds')
  })

  it('refuses an unknown client and records nothing', async () => {
    const { db, ctx, signals } = await context()
    expect(await refusal(() => removeClientAndTell(ctx, signals, 'nobody'))).toEqual({ message: 'no client nobody', exitCode: 1 })
    expect(await recordedEvents(db)).toEqual([])
  })
})

import { describe, expect, it } from 'vitest'
import { asConnectFailure, asUnavailable, DatabaseUnavailableError, isDatabaseUnavailable, unreachableCode } from '../../src/sql/unavailable.js'

const withCode = (code: string | undefined) => Object.assign(new Error('some driver text'), { code })

describe('unreachableCode', () => {
  it.each([
    'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
    '08000', '08001', '08003', '08006', '08P01', '57P01', '57P02', '57P03', '53300'
  ])('%s: the database is away', (code) => {
    expect(unreachableCode(withCode(code))).toBe(code)
  })

  it.each([
    ['23505', 'unique violation'], ['42601', 'syntax error'], ['28P01', 'wrong password'], ['3D000', 'no such database'],
    ['57014', 'statement cancelled'], ['40P01', 'deadlock'], ['ERR_INVALID_ARG_TYPE', 'a Node bug'], [undefined, 'no code']
  ])('%s (%s): not an outage', (code, _what) => {
    expect(unreachableCode(withCode(code))).toBeUndefined()
  })

  it('reads the code, never the message', () => {
    expect(unreachableCode(new Error('connect ECONNREFUSED 127.0.0.1:5432'))).toBeUndefined()
    expect(unreachableCode(null)).toBeUndefined()
  })
})

describe('asUnavailable and asConnectFailure', () => {
  it('wraps an outage code, keeping the driver error as the cause', () => {
    const cause = withCode('57P01')
    const error = asUnavailable(cause, false)
    expect(error).toBeInstanceOf(DatabaseUnavailableError)
    expect(error).toMatchObject({ code: 'DATABASE_UNAVAILABLE', reason: '57P01', statusCode: 503, headers: { 'retry-after': '2' }, cause })
  })

  it('a code-less failure is an outage only when the connection was lost under it', () => {
    const terminated = new Error('Connection terminated unexpectedly')
    expect(asUnavailable(terminated, true)).toMatchObject({ code: 'DATABASE_UNAVAILABLE', reason: 'connection_lost' })
    expect(asUnavailable(terminated, false)).toBe(terminated)
    // A statement's own error stays what it is, even if the connection went afterwards.
    const unique = withCode('23505')
    expect(asUnavailable(unique, true)).toBe(unique)
  })

  it('getting no connection in time (pg gives no code) is an outage; a wrong password is not', () => {
    expect(asConnectFailure(new Error('timeout exceeded when trying to connect'))).toMatchObject({ reason: 'connect_timeout' })
    expect(asConnectFailure(withCode('ECONNREFUSED'))).toMatchObject({ reason: 'ECONNREFUSED' })
    const password = withCode('28P01')
    expect(asConnectFailure(password)).toBe(password)
  })

  it('isDatabaseUnavailable goes by the code', () => {
    expect(isDatabaseUnavailable(new DatabaseUnavailableError('ECONNRESET'))).toBe(true)
    expect(isDatabaseUnavailable(withCode('ECONNRESET'))).toBe(false)
  })
})

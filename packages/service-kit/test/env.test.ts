import Type from 'typebox'
import { describe, expect, it } from 'vitest'
import { ConfigError, parseBoolean, readEnv } from '../src/env.js'

const Schema = Type.Object({
  PORT: Type.Integer({ minimum: 1, default: 3000 }),
  NAME: Type.String({ minLength: 1, default: 'svc' })
})

describe('readEnv', () => {
  it('applies defaults and coerces numbers', () => {
    expect(readEnv(Schema, {})).toEqual({ PORT: 3000, NAME: 'svc' })
    expect(readEnv(Schema, { PORT: '8080' })).toEqual({ PORT: 8080, NAME: 'svc' })
  })

  it('fails with a ConfigError naming the variable', () => {
    expect(() => readEnv(Schema, { PORT: 'x' })).toThrow(ConfigError)
    expect(() => readEnv(Schema, { PORT: 'x' })).toThrow(/invalid configuration: PORT must be integer/)
  })

  it.each([['true', true], ['1', true], ['false', false], ['0', false], ['yes', false]])('reads %j as %s', (value, expected) => {
    expect(parseBoolean(value)).toBe(expected)
  })
})

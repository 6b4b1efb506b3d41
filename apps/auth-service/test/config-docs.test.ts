import { describe, expect, it } from 'vitest'
import { documentedVariables } from '@repo/service-harness/documented-variables'
import { settingVariables } from '@repo/service-kit/settings'
import { AUTH_SETTINGS } from '../src/config.js'

describe('docs/configuration.md', () => {
  it('lists exactly the variables the auth service declares', () => {
    expect(documentedVariables('auth-service').sort()).toEqual(Object.keys(settingVariables(AUTH_SETTINGS)).sort())
  })
})

import { describe, expect, it } from 'vitest'
import { documentedVariables } from '@repo/service-harness/documented-variables'
import { settingVariables } from '@repo/service-kit/settings'
import { CONSUMER_SETTINGS } from '../src/config.js'

/** Documented beside the settings, but read by Node itself. */
const NODE_VARIABLES = ['NODE_EXTRA_CA_CERTS']

describe('docs/configuration.md', () => {
  it('lists exactly the variables the consumer service declares, and Node\'s own it uses', () => {
    expect(documentedVariables('consumer-service').sort())
      .toEqual([...Object.keys(settingVariables(CONSUMER_SETTINGS)), ...NODE_VARIABLES].sort())
  })
})

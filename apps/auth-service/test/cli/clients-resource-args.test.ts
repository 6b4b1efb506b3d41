import { describe, expect, it } from 'vitest'
import { parseClientsArgs, resourceProblem } from '../../src/cli/clients-args.js'

describe('clients add --resource (RFC 8707)', () => {
  it('is repeatable, keeps each absolute URI once, exactly as given, on a machine or a browser client', () => {
    expect(parseClientsArgs(['add', 'bot', '--resource', 'https://reports.example/api', '--resource=urn:example:billing',
      '--resource', 'https://reports.example/api', '--resource', 'https://reports.example/api/']))
      .toMatchObject({
        command: 'add',
        clientId: 'bot',
        resources: ['https://reports.example/api', 'urn:example:billing', 'https://reports.example/api/']
      })
    expect(parseClientsArgs(['add', 'spa', '--public', '--redirect-uri', 'https://app.example/cb',
      '--resource', 'https://reports.example/api'])).toMatchObject({
      command: 'add', authMethod: 'none', resources: ['https://reports.example/api']
    })
  })

  it('is absent without --resource', () => {
    expect(parseClientsArgs(['add', 'bot'])).not.toHaveProperty('resources')
  })

  it.each<[string, string]>([
    ['/api/reports', '--resource must be an absolute URI (like https://api.example/reports), got "/api/reports"'],
    ['reports.example/api', '--resource must be an absolute URI (like https://api.example/reports), got "reports.example/api"'],
    ['https://reports .example/api', '--resource must be an absolute URI (like https://api.example/reports), got "https://reports .example/api"'],
    ['https://reports.example/api#v1', '--resource must not have a fragment (#): "https://reports.example/api#v1"'],
    ['https://reports.example/api#', '--resource must not have a fragment (#): "https://reports.example/api#"'],
    [`https://reports.example/${'a'.repeat(2000)}`, '--resource must be at most 2000 characters']
  ])('refuses %j with a clear message', (uri, problem) => {
    expect(resourceProblem(uri)).toBe(problem)
    expect(parseClientsArgs(['add', 'bot', '--resource', 'https://ok.example/', '--resource', uri]))
      .toEqual({ command: 'usage', problem })
  })

  it('needs a value', () => {
    expect(parseClientsArgs(['add', 'bot', '--resource'])).toEqual({ command: 'usage', problem: '--resource needs a value' })
  })
})

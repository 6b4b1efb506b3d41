import { describe, expect, it } from 'vitest'
import { parseClientsArgs, resourceProblem } from '../../src/cli/clients-args.js'

const LONG = `https://reports.example/${'a'.repeat(2000)}`

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

  it.each<[string, string, string]>([
    ['a relative reference', '/api/reports', '--resource must be an absolute URI (like https://api.example/reports), got "/api/reports"'],
    ['a URI without a scheme', 'reports.example/api', '--resource must be an absolute URI (like https://api.example/reports), got "reports.example/api"'],
    ['a URI with a space', 'https://reports .example/api', '--resource must be an absolute URI (like https://api.example/reports), got "https://reports .example/api"'],
    ['a URI with a fragment', 'https://reports.example/api#v1', '--resource must not have a fragment (#): "https://reports.example/api#v1"'],
    ['a URI with an empty fragment', 'https://reports.example/api#', '--resource must not have a fragment (#): "https://reports.example/api#"'],
    ['a URI over 2000 characters', LONG, '--resource must be at most 2000 characters']
  ])('refuses %s with a clear message', (_name, uri, problem) => {
    expect(resourceProblem(uri)).toBe(problem)
    expect(parseClientsArgs(['add', 'bot', '--resource', 'https://ok.example/', '--resource', uri]))
      .toEqual({ command: 'usage', problem })
  })

  it('needs a value', () => {
    expect(parseClientsArgs(['add', 'bot', '--resource'])).toEqual({ command: 'usage', problem: '--resource needs a value' })
  })
})

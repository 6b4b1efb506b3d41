import { REPORTS_READ, REPORTS_WRITE, parseScope } from '@repo/contracts/scopes'
import { SSF_MANAGE_SCOPE, SSF_READ_SCOPE } from '@repo/contracts/ssf'
import { OPENID_SCOPE } from '@repo/contracts/userinfo'
import { RESOURCE_MAX_LENGTH } from '@repo/contracts/oauth'
import { isHelp } from './command-line.js'

/** The methods `--auth` names; `--public` registers `none` (a browser or native app, no secret). */
export const REGISTRABLE_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const
export type RegistrableAuthMethod = typeof REGISTRABLE_AUTH_METHODS[number]

export const KNOWN_SCOPES: readonly string[] = [REPORTS_READ, REPORTS_WRITE]
export const CLIENT_ID_MAX_LENGTH = 64
/** What a Shared Signals receiver may do: read and manage its streams, and poll them. */
export const SSF_RECEIVER_SCOPE = `${SSF_READ_SCOPE} ${SSF_MANAGE_SCOPE}`
/** What `--ssf-receiver` decides itself, so none of these may come with it. */
const NOT_WITH_SSF_RECEIVER = ['--redirect-uri', '--scope', '--audience', '--public', '--require-dpop',
  '--post-logout-redirect-uri', '--name', '--third-party', '--require-par']

/** Where a `private_key_jwt` client's public keys come from. */
export type ClientKeySource = { jwksUri: string } | { jwksFile: string }

/** What a client that logs people in through the browser registers (`--redirect-uri` and the rest). */
export interface BrowserRegistration {
  redirectUris: string[]
  postLogoutRedirectUris: string[]
  /** What the login and consent pages call it. */
  clientName: string | undefined
  thirdParty: boolean
  requirePar: boolean
}

export interface AddClientArgs {
  clientId: string
  /** Space-delimited, each a known scope, without repeats. */
  scope: string
  /** `undefined`: the service's AUDIENCE. */
  audience: string | undefined
  authMethod: RegistrableAuthMethod | 'none'
  keys: ClientKeySource | undefined
  /** Set with `--redirect-uri`: the client uses the authorization code flow, not client_credentials. */
  browser: BrowserRegistration | undefined
  /** `--if-absent`: a client of that id already registered is left as it is, and that is no error. */
  ifAbsent: boolean
  /** `--require-dpop`: its every grant needs a DPoP proof (`dpop_bound_access_tokens`). */
  requireDpop: boolean
  /** `--ssf-receiver`: a Shared Signals receiver (scope SSF_RECEIVER_SCOPE, its audience the issuer). */
  ssfReceiver?: true
  /** `--resource` (repeatable): what it may name with RFC 8707 `resource`, each an absolute URI; absent: none. */
  resources?: string[]
  /** `--secret-file`: the new secret is written to this file (created, mode 0600) instead of standard output. */
  secretFile?: string
}

export type ClientsCommand =
  | { command: 'add' } & AddClientArgs
  | { command: 'list', json: boolean }
  | { command: 'remove', clientId: string }
  | { command: 'help' }
  /** A command line that does not parse; `problem` says why (none when there was no command at all). */
  | { command: 'usage', problem?: string }

const ADD_USAGE = 'add takes one client id: add <client_id> [--scope "<scopes>"] [--audience <aud>] ' +
  '[--auth <method>] [--jwks-uri <url> | --jwks-file <file>]'
const VALUED_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  add: ['--scope', '--audience', '--auth', '--jwks-uri', '--jwks-file', '--name', '--redirect-uri',
    '--post-logout-redirect-uri',
    '--resource',
    '--secret-file']
}
/** Options that may be given more than once, each time adding a value. */
const REPEATABLE = new Set(['--redirect-uri', '--post-logout-redirect-uri',
  '--resource'])
const FLAGS: Readonly<Record<string, readonly string[]>> = {
  add: ['--public', '--third-party', '--require-par', '--if-absent', '--require-dpop',
    '--ssf-receiver'],
  list: ['--json']
}
const CLIENT_NAME_MAX_LENGTH = 100

/** Why `clientId` cannot be a client id, or `undefined`: 1 to 64 of `A–Z a–z 0–9 . _ -`. */
export function clientIdProblem (clientId: string): string | undefined {
  if (clientId.length === 0) return 'a client id must not be empty'
  if (clientId.length > CLIENT_ID_MAX_LENGTH) {
    return `a client id must be at most ${CLIENT_ID_MAX_LENGTH} characters, got ${clientId.length}`
  }
  if (!/^[A-Za-z0-9._-]+$/.test(clientId)) {
    return `a client id may only contain letters, digits, ".", "_" and "-", got "${clientId}"`
  }
  return undefined
}

/** The scope as stored (known scopes, each once, in the order given), or why not. */
export function normalizeScope (scope: string): { scope: string } | { problem: string } {
  const scopes = [...new Set(parseScope(scope))]
  if (scopes.length === 0) return { problem: `--scope needs at least one scope: ${KNOWN_SCOPES.join(' and/or ')}` }
  const unknown = scopes.filter((part) => !KNOWN_SCOPES.includes(part))
  if (unknown.length > 0) {
    const quoted = unknown.map((part) => `"${part}"`).join(', ')
    return { problem: `unknown scope ${quoted}: the known scopes are ${KNOWN_SCOPES.join(' and ')}` }
  }
  return { scope: scopes.join(' ') }
}

/**
 * The stored scope of a new client. A client people log in to (`--redirect-uri`) is always allowed
 * `openid` (an ID token): it may name it, as the README's command does, and it is not stored; to a
 * machine client `openid` means nothing and stays an unknown scope.
 */
export function clientScope (scope: string, logsPeopleIn: boolean): { scope: string } | { problem: string } {
  if (!logsPeopleIn) return normalizeScope(scope)
  const withoutOpenid = parseScope(scope).filter((part) => part !== OPENID_SCOPE)
  if (withoutOpenid.length === 0 && parseScope(scope).length > 0) {
    const known = KNOWN_SCOPES.join(' and/or ')
    return { problem: `--scope needs a scope besides ${OPENID_SCOPE} (always allowed): ${known}` }
  }
  return normalizeScope(withoutOpenid.join(' '))
}

export function audienceProblem (audience: string): string | undefined {
  if (audience.length === 0 || audience.length > 200) return 'an audience must be 1 to 200 characters'
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(audience)) return 'an audience must not contain whitespace or control characters'
  return undefined
}

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]'])

/** Why the service must not fetch a client's keys from `uri`: only https, or plain http on loopback. */
export function jwksUriProblem (uri: string): string | undefined {
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return `--jwks-uri is not a URL: "${uri}"`
  }
  if (url.username || url.password) return '--jwks-uri must not carry credentials'
  if (url.protocol === 'https:') return undefined
  const loopback = LOOPBACK_HOSTS.has(url.hostname) || /^127(\.\d{1,3}){3}$/.test(url.hostname)
  if (url.protocol === 'http:' && loopback) return undefined
  return `--jwks-uri must be https (plain http only on loopback), got ${url.protocol}//${url.host}`
}

/**
 * Why `uri` cannot be a redirect URI (`option` names it): absolute, https, or plain http only on a
 * loopback host (RFC 8252 §7.3, a native app's own listener), no fragment (RFC 6749 §3.1.2), no
 * credentials. It is stored as given: /authorize compares it exactly.
 */
export function redirectUriProblem (uri: string, option = '--redirect-uri'): string | undefined {
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return `${option} is not an absolute URL: "${uri}"`
  }
  if (uri.includes('#')) return `${option} must not have a fragment (#): "${uri}"`
  if (url.username || url.password) return `${option} must not carry credentials`
  if (url.protocol === 'https:') return undefined
  const loopback = LOOPBACK_HOSTS.has(url.hostname) || /^127(\.\d{1,3}){3}$/.test(url.hostname)
  if (url.protocol === 'http:' && loopback) return undefined
  return `${option} must be https (plain http only on loopback: 127.0.0.1, [::1], localhost), got "${uri}"`
}

/**
 * Why `uri` cannot be a resource (RFC 8707 §2): an absolute URI (a scheme, then no spaces or control
 * characters) without a fragment. Stored as given: a token request names it exactly.
 */
export function resourceProblem (uri: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:[^\s\u0000-\u001f\u007f]+$/.test(uri) || !URL.canParse(uri)) {
    return `--resource must be an absolute URI (like https://api.example/reports), got "${uri.slice(0, 200)}"`
  }
  if (uri.includes('#')) return `--resource must not have a fragment (#): "${uri.slice(0, 200)}"`
  if (uri.length > RESOURCE_MAX_LENGTH) return `--resource must be at most ${RESOURCE_MAX_LENGTH} characters`
  return undefined
}

/** An `add` with its `--resource` values, each once (none: no `resources`), or the first one's problem. */
function withResources (parsed: ClientsCommand, lists: Map<string, string[]>): ClientsCommand {
  if (parsed.command !== 'add') return parsed
  const resources = [...new Set(lists.get('--resource') ?? [])]
  const problem = resources.map(resourceProblem).find((found) => found !== undefined)
  if (problem !== undefined) return { command: 'usage', problem }
  return resources.length === 0 ? parsed : { ...parsed, resources }
}

/** `--secret-file <path>`: only for a client that gets a secret. */
function withSecretFile (parsed: ClientsCommand, values: Map<string, string>): ClientsCommand {
  const secretFile = values.get('--secret-file')
  if (parsed.command !== 'add' || secretFile === undefined) return parsed
  if (secretFile === '') return { command: 'usage', problem: '--secret-file needs a file name' }
  if (parsed.authMethod !== 'client_secret_basic' && parsed.authMethod !== 'client_secret_post') {
    return { command: 'usage', problem: '--secret-file is for a client with a secret (client_secret_basic or _post)' }
  }
  return { ...parsed, secretFile }
}

const isAuthMethod = (word: string): word is RegistrableAuthMethod =>
  (REGISTRABLE_AUTH_METHODS as readonly string[]).includes(word)

/** A `clients` command line taken apart by `split`; `problem` when it could not be. */
interface SplitArgs {
  command: string | undefined
  values: Map<string, string>
  /** The values of the options in REPEATABLE, in the order given. */
  lists: Map<string, string[]>
  flags: Set<string>
  operands: string[]
  problem?: string
}

/**
 * Splits `<command> [...]` like `splitCommandLine`, except that some options take the next word as
 * their value (`--scope "reports:read"`, or `--scope=reports:read`). Only the exact option words are
 * options, so a client id may start with `-`; every word after `--` is an operand. A `--` right
 * after the command is skipped: `pnpm clients:add -- bot --scope ...` passes `add -- bot --scope ...`,
 * and its options must stay options.
 */
function split (argv: readonly string[]): SplitArgs {
  const [command, ...afterCommand] = argv[0] === '--' ? argv.slice(1) : argv
  const rest = afterCommand[0] === '--' ? afterCommand.slice(1) : afterCommand
  const valued = command === undefined ? [] : VALUED_OPTIONS[command] ?? []
  const flagWords = command === undefined ? [] : FLAGS[command] ?? []
  const values = new Map<string, string>()
  const lists = new Map<string, string[]>()
  const flags = new Set<string>()
  const operands: string[] = []
  for (let index = 0; index < rest.length; index++) {
    const word = rest[index] as string
    if (word === '--') {
      operands.push(...rest.slice(index + 1))
      break
    }
    const equals = word.indexOf('=')
    const name = equals > 0 && valued.includes(word.slice(0, equals)) ? word.slice(0, equals) : word
    if (valued.includes(name)) {
      const value = name === word ? rest[++index] : word.slice(equals + 1)
      if (value === undefined) return { command, values, lists, flags, operands, problem: `${name} needs a value` }
      if (REPEATABLE.has(name)) {
        lists.set(name, [...lists.get(name) ?? [], value])
        continue
      }
      if (values.has(name)) {
        return { command, values, lists, flags, operands, problem: `${name} is given more than once` }
      }
      values.set(name, value)
    } else if (flagWords.includes(word)) {
      flags.add(word)
    } else {
      operands.push(word)
    }
  }
  return { command, values, lists, flags, operands }
}

/** The browser-login options of `add`, or why they do not fit together. */
function parseBrowser (
  values: Map<string, string>, lists: Map<string, string[]>, flags: Set<string>
): { browser: BrowserRegistration | undefined } | { problem: string } {
  const redirectUris = [...new Set(lists.get('--redirect-uri') ?? [])]
  const postLogoutRedirectUris = [...new Set(lists.get('--post-logout-redirect-uri') ?? [])]
  const clientName = values.get('--name')
  if (redirectUris.length === 0) {
    const needing = ['--post-logout-redirect-uri', '--name', '--public', '--third-party', '--require-par']
      .find((option) => option === '--post-logout-redirect-uri'
        ? postLogoutRedirectUris.length > 0
        : option === '--name' ? clientName !== undefined : flags.has(option))
    if (needing) return { problem: `${needing} is for clients that log people in: give --redirect-uri too` }
    return { browser: undefined }
  }
  for (const uri of redirectUris) {
    const problem = redirectUriProblem(uri)
    if (problem) return { problem }
  }
  for (const uri of postLogoutRedirectUris) {
    const problem = redirectUriProblem(uri, '--post-logout-redirect-uri')
    if (problem) return { problem }
  }
  // eslint-disable-next-line no-control-regex
  if (clientName !== undefined && (clientName.trim() === '' || /[\u0000-\u001f\u007f]/.test(clientName) ||
    clientName.length > CLIENT_NAME_MAX_LENGTH)) {
    return { problem: `--name must be 1 to ${CLIENT_NAME_MAX_LENGTH} characters, without control characters` }
  }
  return {
    browser: {
      redirectUris,
      postLogoutRedirectUris,
      clientName,
      thirdParty: flags.has('--third-party'),
      requirePar: flags.has('--require-par')
    }
  }
}

function parseAdd (
  values: Map<string, string>, lists: Map<string, string[]>, flags: Set<string>, operands: string[]
): ClientsCommand {
  const [clientId] = operands
  if (operands.length !== 1 || clientId === undefined) return { command: 'usage', problem: ADD_USAGE }
  const idProblem = clientIdProblem(clientId)
  if (idProblem) return { command: 'usage', problem: idProblem }
  const ssfReceiver = flags.has('--ssf-receiver')
  const ssfClash = NOT_WITH_SSF_RECEIVER
    .filter((option) => values.has(option) || lists.has(option) || flags.has(option))
  if (ssfReceiver && ssfClash.length > 0) {
    return {
      command: 'usage',
      problem: `--ssf-receiver registers a machine client with its own scope (${SSF_RECEIVER_SCOPE}), audience ` +
        `(the issuer) and bearer tokens: leave out ${ssfClash.join(', ')}`
    }
  }

  const scope = ssfReceiver
    ? { scope: SSF_RECEIVER_SCOPE }
    : clientScope(values.get('--scope') ?? REPORTS_READ, (lists.get('--redirect-uri') ?? []).length > 0)
  if ('problem' in scope) return { command: 'usage', problem: scope.problem }

  const audience = values.get('--audience')
  const badAudience = audience === undefined ? undefined : audienceProblem(audience)
  if (badAudience) return { command: 'usage', problem: badAudience }

  const jwksUri = values.get('--jwks-uri')
  const jwksFile = values.get('--jwks-file')
  if (jwksUri !== undefined && jwksFile !== undefined) {
    return { command: 'usage', problem: 'give either --jwks-uri or --jwks-file, not both' }
  }
  const uriProblem = jwksUri === undefined ? undefined : jwksUriProblem(jwksUri)
  if (uriProblem) return { command: 'usage', problem: uriProblem }
  if (jwksFile === '') return { command: 'usage', problem: '--jwks-file needs a file name' }
  const keys = jwksUri !== undefined ? { jwksUri } : jwksFile !== undefined ? { jwksFile } : undefined

  const browserOptions = parseBrowser(values, lists, flags)
  if ('problem' in browserOptions) return { command: 'usage', problem: browserOptions.problem }
  const { browser } = browserOptions
  const ifAbsent = flags.has('--if-absent')
  const requireDpop = flags.has('--require-dpop')
  if (flags.has('--public')) {
    if (values.has('--auth') || keys) {
      return { command: 'usage', problem: '--public has no credentials: leave out --auth, --jwks-uri and --jwks-file' }
    }
    return {
      command: 'add',
      clientId,
      scope: scope.scope,
      audience,
      authMethod: 'none',
      keys: undefined,
      browser,
      ifAbsent,
      requireDpop
    }
  }

  const auth = values.get('--auth') ?? (keys ? 'private_key_jwt' : 'client_secret_basic')
  if (!isAuthMethod(auth)) {
    return { command: 'usage', problem: `unknown --auth "${auth}": use ${REGISTRABLE_AUTH_METHODS.join(', ')}` }
  }
  if (auth === 'private_key_jwt' && !keys) {
    return {
      command: 'usage',
      problem: 'private_key_jwt needs the client\'s public keys: --jwks-uri <url> or --jwks-file <file>'
    }
  }
  if (auth !== 'private_key_jwt' && keys) {
    return { command: 'usage', problem: `--jwks-uri and --jwks-file are for private_key_jwt, not ${auth}` }
  }

  return {
    command: 'add', clientId, scope: scope.scope, audience, authMethod: auth, keys, browser, ifAbsent, requireDpop
  }
}

/** Reads `clients <command> [...]`, checking every value that needs no file or database. */
export function parseClientsArgs (argv: readonly string[]): ClientsCommand {
  const { command, values, lists, flags, operands, problem } = split(argv)
  if (problem) return { command: 'usage', problem }
  const [first] = operands
  switch (command) {
    case undefined:
      return { command: 'usage' }
    case 'add': {
      const add = withSecretFile(withResources(parseAdd(values, lists, flags, operands), lists), values)
      return add.command === 'add' && flags.has('--ssf-receiver') ? { ...add, ssfReceiver: true } : add
    }
    case 'list':
      if (first !== undefined) {
        return { command: 'usage', problem: `list takes no arguments but --json, got "${first}"` }
      }
      return { command, json: flags.has('--json') }
    case 'remove':
      if (operands.length !== 1 || first === undefined) {
        return { command: 'usage', problem: 'remove takes one client id: remove <client_id>' }
      }
      return { command, clientId: first }
    default:
      if (isHelp(command)) return { command: 'help' }
      return { command: 'usage', problem: `unknown command "${command}": use add, list or remove` }
  }
}

import { REPORTS_READ, REPORTS_WRITE, parseScope } from '@repo/contracts/scopes'

/** What each scope lets a client do, as the consent and login pages say it to the user. */
const SCOPE_WORDS: Readonly<Record<string, string>> = {
  openid: 'know who you are',
  [REPORTS_READ]: 'read your reports',
  [REPORTS_WRITE]: 'create reports'
}

/** The scopes of `scope` in words; a scope without words is shown as it is named. */
export function scopeInWords (scope: string): string[] {
  return parseScope(scope).map((name) => SCOPE_WORDS[name] ?? name)
}

/** What each scope lets the page do, in words a person reads. */
const SCOPE_WORDS: Record<string, string> = {
  openid: 'know who you are',
  'reports:read': 'read reports',
  'reports:write': 'create reports'
}

/** `openid reports:read` → ['know who you are', 'read reports']; an unknown scope is shown as it is. */
export function scopesInWords (scope: string | undefined): string[] {
  return (scope ?? '').split(' ').filter((name) => name.length > 0).map((name) => SCOPE_WORDS[name] ?? name)
}

export const hasScope = (scope: string | undefined, wanted: string) => (scope ?? '').split(' ').includes(wanted)

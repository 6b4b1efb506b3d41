import { login } from '@repo/service-harness/http'
import { runAuthCli } from '@repo/service-harness/service-process'

export interface UserAdd {
  userName: string
  code: number | null
  stderr: string
}

export interface LoginAttempt {
  url: string
  /** The HTTP status, or `error` when no answer came (the replica was down). */
  status: number | 'error'
  refreshToken?: string
  /** Why no answer came: the error and its cause (ECONNREFUSED, a reset), for the failure message. */
  error?: string
}

/** An error as one line, with its cause's code: fetch's own message is only "fetch failed". */
function describeError (error: unknown): string {
  const cause = (error as { cause?: { code?: string, message?: string } }).cause
  return [String(error), cause?.code, cause?.message].filter(Boolean).join(' / ')
}

/**
 * A burst of writes to the auth database until `signal` aborts: `users add` CLI calls one after the
 * other (each user a new name, its password on stdin), and logins as Jane to each of `urls` in turn,
 * each keeping its refresh token. `progress` is what happened so far; `done` resolves with all of it.
 */
export function startBurst (urls: readonly string[], env: Record<string, string>, signal: AbortSignal) {
  const progress = { userAdds: [] as UserAdd[], logins: [] as LoginAttempt[] }
  const addUsers = async () => {
    for (let n = 1; !signal.aborted; n++) {
      const userName = `burst-${n}`
      const { code, stderr } = await runAuthCli('users', ['add', userName, 'read'], env, `password-${n}-long\n`)
      progress.userAdds.push({ userName, code, stderr })
    }
  }
  const logIn = async () => {
    for (let n = 0; !signal.aborted; n++) {
      const url = urls[n % urls.length] as string
      try {
        const { status, body } = await login(url, 'Jane', 'pass123')
        const refreshToken = typeof body.refresh_token === 'string' ? { refreshToken: body.refresh_token } : {}
        progress.logins.push({ url, status, ...refreshToken })
      } catch (error) {
        progress.logins.push({ url, status: 'error', error: describeError(error) })
      }
    }
  }
  return { progress, done: Promise.all([addUsers(), logIn()]).then(() => progress) }
}

import { AuthClient } from './auth-client.js'
import { deleteDpopKeyPair, dpopKeyPair } from './dpop-key.js'
import { busyScreen, faultScreen, homeScreen, signedOutScreen } from './screens.js'
import { FAULTS, Fault } from './faults.js'
import { loadPageConfig, type PageConfig } from './page-config.js'
import { savePendingSignOut, takePendingSignOut } from './pending.js'
import { createReport, listReports, Unauthorized, type Send } from './reports-api.js'
import { hasScope, scopesInWords } from './scopes.js'
import { Session } from './session.js'

let session: Session | undefined

/** Starts the page again from the top: a fresh load, no state kept. */
const restart = () => location.assign('/')

/** Every fault ends in a sentence and a button: this is the one place that decides which button. */
function showFault (error: unknown, retry: () => void = restart): void {
  session?.end()
  const fault = error instanceof Fault ? error : new Fault('Something unexpected happened. Please try again.', 'retry')
  if (!(error instanceof Fault)) console.error(error)
  if (fault.way === 'sign-in') faultScreen(fault.sentence, 'Sign in again', () => { signIn().catch(showFault) })
  else faultScreen(fault.sentence, 'Try again', fault.way === 'reload-reports' ? retry : restart)
}

let config: PageConfig
let auth: AuthClient | undefined

async function authClient (): Promise<AuthClient> {
  auth ??= await AuthClient.discover(config, dpopKeyPair)
  return auth
}

async function signIn (): Promise<void> {
  busyScreen('Going to the sign-in page…')
  await (await authClient()).startSignIn({ silent: false })
}

/** Calls the consumer with the current token; a 401 gets one refresh and one more try. */
async function withToken<T> (call: (send: Send) => Promise<T>): Promise<T> {
  const current = session as Session
  const client = await authClient()
  try {
    return await call(client.sender(current.tokens))
  } catch (error) {
    if (!(error instanceof Unauthorized)) throw error
    const renewed = await current.refresh()
    try {
      return await call(client.sender(renewed))
    } catch (again) {
      throw again instanceof Unauthorized ? FAULTS.notAccepted() : again
    }
  }
}

async function showHome (): Promise<void> {
  const current = session as Session
  const client = await authClient()
  const [user, reports] = await Promise.all([
    client.userInfo(current.tokens),
    withToken((send) => listReports(config.consumerUrl, send))
  ])
  const { status } = homeScreen({
    sub: current.tokens.sub,
    userName: typeof user.preferred_username === 'string' ? user.preferred_username : user.sub,
    role: typeof user.role === 'string' ? user.role : undefined,
    abilities: scopesInWords(current.tokens.scope),
    reports,
    onSignOut: () => { signOut().catch(showFault) },
    onCreate: (title) => {
      status.textContent = 'Saving…'
      withToken((send) => createReport(config.consumerUrl, send, title)).then((result) => {
        if ('refused' in result) status.textContent = result.refused
        else return refreshHome(`Report “${result.title}” created.`)
      }).catch((error) => showFault(error, () => { refreshHome().catch(showFault) }))
    }
  })
  if (!hasScope(current.tokens.scope, 'reports:write')) {
    status.textContent = 'Your account may read reports but not create them.'
  }
}

async function refreshHome (notice?: string): Promise<void> {
  await showHome()
  if (notice !== undefined) (document.getElementById('status') as HTMLElement).textContent = notice
}

async function signOut (): Promise<void> {
  const current = session as Session
  busyScreen('Signing out…')
  current.end()
  const client = await authClient()
  const { refreshToken, idToken } = current.tokens
  session = undefined
  // The key first: whatever happens next, nothing in this browser can use the tokens bound to it again.
  await deleteDpopKeyPair()
  if (refreshToken !== undefined) await client.revoke(refreshToken)
  const state = crypto.randomUUID()
  savePendingSignOut(state)
  location.assign(client.signOutUrl(idToken, state).href)
}

async function start (): Promise<void> {
  try {
    config = await loadPageConfig()
  } catch {
    throw FAULTS.notConfigured()
  }
  const url = new URL(location.href)
  if (url.pathname === '/callback') {
    // The code and state leave the address bar (and the history) before anything else happens.
    history.replaceState(null, '', '/')
    busyScreen('Signing you in…')
    const result = await (await authClient()).finishSignIn(url)
    if (result === 'signed-out') {
      signedOutScreen('Sign in to see and create reports.', () => { signIn().catch(showFault) })
      return
    }
    session = new Session(await authClient(), result, showFault)
    await showHome()
    return
  }
  const signedOutState = takePendingSignOut()
  if (url.searchParams.has('state') || signedOutState !== undefined) {
    history.replaceState(null, '', '/')
    if (signedOutState !== undefined && url.searchParams.get('state') === signedOutState) {
      signedOutScreen('You have signed out. Thank you for using Reports.', () => { signIn().catch(showFault) })
      return
    }
  }
  // A reload or a new visit: signed in again without a page if the auth service still has a session.
  busyScreen('Checking whether you are signed in…')
  await (await authClient()).startSignIn({ silent: true })
}

// A page restored from the back/forward cache would show a signed-in screen from memory: load it afresh.
addEventListener('pageshow', (event) => { if (event.persisted) location.reload() })
start().catch(showFault)

/** What a person is offered after a fault: the sentence's button. */
export type Way = 'sign-in' | 'retry' | 'reload-reports'

/** A fault shown as a sentence and a button, never as raw JSON or a console-only error. */
export class Fault extends Error {
  readonly code = 'WEB_FAULT'
  constructor (readonly sentence: string, readonly way: Way) {
    super(sentence)
  }
}

export const FAULTS = {
  authDown: () => new Fault('The sign-in service cannot be reached right now. Please try again in a moment.', 'retry'),
  consumerDown: () => new Fault('The reports service cannot be reached right now. Please try again in a moment.',
    'reload-reports'),
  notConfigured: () => new Fault('This page could not load its settings. Please try again in a moment.', 'retry'),
  unknownCallback: () => new Fault('This sign-in link has already been used or was not started from this page. ' +
    'Please sign in again.', 'sign-in'),
  signInRefused: () => new Fault('Signing in was cancelled or refused. You can try again.', 'sign-in'),
  badCallback: () => new Fault('The answer from the sign-in service could not be trusted, so it was ignored. ' +
    'Please sign in again.', 'sign-in'),
  sessionEnded: () => new Fault('Your session has ended. Please sign in again.', 'sign-in'),
  notAccepted: () => new Fault('The reports service no longer accepts your sign-in. Please sign in again.', 'sign-in')
}

/** A fetch that failed before any answer: the service is down or unreachable. */
export const isNetworkError = (error: unknown) => error instanceof TypeError

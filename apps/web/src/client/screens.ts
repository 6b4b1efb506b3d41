import { button, el, show } from './dom.js'
import type { Report } from './reports-api.js'

export function signedOutScreen (message: string, onSignIn: () => void): void {
  document.title = 'Signed out · Reports'
  show(el('h1', {}, 'You are signed out'), el('p', {}, message), button('Sign in', onSignIn))
}

export function faultScreen (sentence: string, label: string, onClick: () => void): void {
  document.title = 'Something went wrong · Reports'
  show(el('h1', {}, 'Something went wrong'), el('p', { class: 'problem', role: 'alert' }, sentence),
    button(label, onClick))
}

export function busyScreen (what: string): void {
  show(el('h1', {}, what))
}

export interface HomeView {
  /** The signed-in person's subject: their own reports say "you". */
  sub: string
  userName: string
  role: string | undefined
  abilities: string[]
  reports: Report[]
  onCreate: (title: string) => void
  onSignOut: () => void
}

/** The consumer stores only the author's subject (an opaque id): a person reads "you" or "another user". */
function reportItem ({ title, createdBy, createdAt }: Report, sub: string): HTMLLIElement {
  const when = new Date(createdAt).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' })
  return el('li', {}, el('strong', {}, title), ` by ${createdBy === sub ? 'you' : 'another user'}, ${when}`)
}

const inWords = (items: string[]) => new Intl.ListFormat('en', { type: 'conjunction' }).format(items)

/** The signed-in screen: who the person is, what this page may do for them, and the reports. */
export function homeScreen (view: HomeView): { status: HTMLElement } {
  document.title = 'Reports'
  const status = el('p', { role: 'status', id: 'status', class: 'status' })
  const title = el('input', { id: 'title', name: 'title', required: '', maxlength: '200', autocomplete: 'off' })
  const form = el('form', {}, el('label', { for: 'title' }, 'Title'), title,
    el('p', {}, el('button', { type: 'submit' }, 'Create report')))
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    view.onCreate(title.value)
  })
  const list = view.reports.length === 0
    ? el('p', {}, 'There are no reports yet.')
    : el('ul', { class: 'reports' }, ...view.reports.map((report) => reportItem(report, view.sub)))
  show(
    el('h1', {}, 'Reports'),
    el('section', { 'aria-labelledby': 'who' },
      el('h2', { id: 'who' }, 'Who am I'),
      el('p', {}, `You are signed in as ${view.userName}` + (view.role === undefined ? '.' : ` (role: ${view.role}).`)),
      el('p', {}, `Your sign-in lets this page ${inWords(view.abilities)}.`),
      button('Sign out', view.onSignOut, 'secondary')),
    el('section', { 'aria-labelledby': 'new' }, el('h2', { id: 'new' }, 'New report'), form, status),
    el('section', { 'aria-labelledby': 'list' }, el('h2', { id: 'list' }, 'Latest reports'), list)
  )
  return { status }
}

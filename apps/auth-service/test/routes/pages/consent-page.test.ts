import { describe, expect, it } from 'vitest'
import { AUTHORIZATION_RESUME_PATH, CONSENT_PATH } from '@repo/contracts/authorization'
import { buildTestApp } from '../../helper.js'
import { WEB_APP, cookiesSet, csrfTokenIn, form, signedIn, startInteraction } from './pages-helper.js'

const NOW = Date.UTC(2030, 0, 1)
const SCOPE = 'openid reports:read'

async function consentPage () {
  const app = await buildTestApp({}, { now: () => NOW })
  await app.clients.add({ ...WEB_APP, thirdParty: true }, NOW)
  const { user, cookies: sessionCookies } = await signedIn(app, 'Jane', NOW)
  const { interaction, cookies } = await startInteraction(app, NOW, { scope: SCOPE })
  const page = await app.inject({ method: 'GET', url: `${CONSENT_PATH}?interaction=${interaction}`, cookies: { ...cookies, ...sessionCookies } })
  return { app, user, interaction, page, cookies: { ...cookies, ...sessionCookies, ...cookiesSet(page) } }
}

describe('the consent page', () => {
  it('shows the client, the signed-in user and what it asks for in words, with Allow and Deny buttons and a CSRF token', async () => {
    const { page } = await consentPage()
    expect(page.statusCode).toBe(200)
    expect(page.headers['x-frame-options']).toBe('DENY')
    expect(page.headers['cache-control']).toBe('no-store')
    expect(page.body).toContain('<title>Allow Report Viewer?</title>')
    expect(page.body).toContain('signed in as <strong>Jane</strong>')
    expect(page.body).toContain('<li>know who you are</li>')
    expect(page.body).toContain('<li>read your reports</li>')
    expect(page.body).not.toContain('create reports')
    expect(page.body).toContain('<button type="submit" name="decision" value="allow">Allow</button>')
    expect(page.body).toContain('name="decision" value="deny"')
    csrfTokenIn(page.body)
  })

  it('Allow records the consent and goes on to the resume path (303)', async () => {
    const { app, user, interaction, page, cookies } = await consentPage()
    const allowed = await app.inject({ method: 'POST', url: CONSENT_PATH, ...form({ decision: 'allow', interaction, _csrf: csrfTokenIn(page.body) }), cookies })
    expect(allowed.statusCode).toBe(303)
    expect(allowed.headers.location).toBe(`${AUTHORIZATION_RESUME_PATH}?interaction=${interaction}`)
    expect(await app.consents.covers(user.id, 'web-app', SCOPE)).toBe(true)
    expect(await app.consents.covers(user.id, 'web-app', 'reports:write')).toBe(false)
  })

  it('Deny records nothing and goes on to the resume path with denied=1 (303)', async () => {
    const { app, user, interaction, page, cookies } = await consentPage()
    const denied = await app.inject({ method: 'POST', url: CONSENT_PATH, ...form({ decision: 'deny', interaction, _csrf: csrfTokenIn(page.body) }), cookies })
    expect(denied.statusCode).toBe(303)
    expect(denied.headers.location).toBe(`${AUTHORIZATION_RESUME_PATH}?interaction=${interaction}&denied=1`)
    expect(await app.consents.covers(user.id, 'web-app', SCOPE)).toBe(false)
  })

  it('refuses an answer without its CSRF token (403) and records nothing', async () => {
    const { app, user, interaction, cookies } = await consentPage()
    for (const fields of [{ decision: 'allow', interaction }, { decision: 'allow', interaction, _csrf: 'forged' }]) {
      const refused = await app.inject({ method: 'POST', url: CONSENT_PATH, ...form(fields), cookies })
      expect(refused.statusCode).toBe(403)
      expect(refused.headers.location).toBeUndefined()
    }
    expect(await app.consents.covers(user.id, 'web-app', SCOPE)).toBe(false)
  })

  it('sends a browser without a session to the login page of the same request', async () => {
    const { app, interaction, page, cookies } = await consentPage()
    const { session: _session, ...withoutSession } = cookies
    const shown = await app.inject({ method: 'GET', url: `${CONSENT_PATH}?interaction=${interaction}`, cookies: withoutSession })
    expect(shown.statusCode).toBe(303)
    expect(shown.headers.location).toBe(`/login?interaction=${interaction}`)
    const answered = await app.inject({ method: 'POST', url: CONSENT_PATH, ...form({ decision: 'allow', interaction, _csrf: csrfTokenIn(page.body) }), cookies: withoutSession })
    expect(answered.statusCode).toBe(303)
    expect(answered.headers.location).toBe(`/login?interaction=${interaction}`)
  })

  it('refuses another browser\'s request (403) and garbage (4xx, never 5xx)', async () => {
    const { app, interaction, page, cookies } = await consentPage()
    const other = await startInteraction(app, NOW)
    const csrf = csrfTokenIn(page.body)
    const mismatch = await app.inject({ method: 'POST', url: CONSENT_PATH, ...form({ decision: 'allow', interaction, _csrf: csrf }), cookies: { ...cookies, ...other.cookies } })
    expect(mismatch.statusCode).toBe(403)
    for (const fields of [{ decision: 'maybe', interaction, _csrf: csrf }, { decision: 'allow', _csrf: csrf }, { decision: 'allow', interaction: 'x'.repeat(500), _csrf: csrf }]) {
      const response = await app.inject({ method: 'POST', url: CONSENT_PATH, ...form(fields), cookies })
      expect(response.statusCode, JSON.stringify(fields)).toBe(400)
    }
  })
})

import type { Page } from 'playwright-core'

/**
 * Fills the auth service's login page as a person would, finding the fields by their labels and the
 * button by its role and name (no CSS ids: a page whose labels break fails here), and submits it.
 */
export async function signIn (page: Page, userName: string, password: string): Promise<void> {
  await page.getByLabel('User name').fill(userName)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

/** Whether the page shows the login form. */
export async function showsLoginForm (page: Page): Promise<boolean> {
  return (await page.getByLabel('Password').count()) === 1
}

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

/** Whether the element `label` names has the keyboard focus. */
const focused = (page: Page, label: string) => page.getByLabel(label).evaluate((element) => {
  // Runs in the page (no DOM types in this project).
  const { document } = globalThis as unknown as { document: { activeElement: unknown } }
  return element === document.activeElement
})

/**
 * Signs in with the keyboard alone: Tab from the top of the page lands in the user name, Tab again
 * in the password, Enter submits. Throws if the focus is anywhere else.
 */
export async function signInWithKeyboard (page: Page, userName: string, password: string): Promise<void> {
  await page.keyboard.press('Tab')
  if (!await focused(page, 'User name')) throw new Error('the first Tab does not reach the user name field')
  await page.keyboard.type(userName)
  await page.keyboard.press('Tab')
  if (!await focused(page, 'Password')) throw new Error('Tab from the user name does not reach the password field')
  await page.keyboard.type(password)
  await page.keyboard.press('Enter')
}

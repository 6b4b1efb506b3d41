/** What the server says this deployment is: one built page fits any (apps/web/src/server/app.ts). */
export interface PageConfig {
  issuer: string
  consumerUrl: string
  clientId: string
}

export async function loadPageConfig (): Promise<PageConfig> {
  const response = await fetch('/config.json', { cache: 'no-store' })
  if (!response.ok) throw new Error(`/config.json answered ${response.status}`)
  const body = await response.json() as Partial<PageConfig>
  if (typeof body.issuer !== 'string' || typeof body.consumerUrl !== 'string' || typeof body.clientId !== 'string') {
    throw new Error('/config.json lacks issuer, consumerUrl or clientId')
  }
  return { issuer: body.issuer, consumerUrl: body.consumerUrl, clientId: body.clientId }
}

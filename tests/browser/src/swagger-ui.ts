import type { Page } from 'playwright-core'

interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'])

/** `METHOD /path` for each operation in an OpenAPI document, as Swagger UI labels them. */
export function operationsOf (doc: OpenApiDocument): string[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item).filter((key) => HTTP_METHODS.has(key)).map((method) => `${method.toUpperCase()} ${path}`))
}

/** The operations Swagger UI rendered, once it has rendered at least one. */
export async function renderedOperations (page: Page): Promise<string[]> {
  await page.locator('.opblock').first().waitFor()
  return page.locator('.opblock-summary').evaluateAll((summaries) => summaries.map((summary) => {
    const method = summary.querySelector('.opblock-summary-method')?.textContent ?? ''
    const path = summary.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? ''
    return `${method.trim()} ${path}`
  }))
}

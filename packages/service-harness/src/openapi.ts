/** The parts of an OpenAPI 3.1 document the services' docs tests look at. */
export interface OpenApiOperation {
  tags?: string[]
  summary?: string
  description?: string
  security?: Array<Record<string, string[]>>
  requestBody?: { content: Record<string, unknown> }
}

export interface OpenApiDocument {
  openapi: string
  info: { title: string, version: string, description?: string }
  servers?: Array<{ url: string }>
  tags?: Array<{ name: string, description?: string }>
  paths: Record<string, Record<string, OpenApiOperation>>
  components: { securitySchemes: Record<string, Record<string, unknown>> }
}

/**
 * Every method and path in `printRoutes({ commonPrefix: false })`'s tree: each level is indented
 * four characters and carries the rest of the path after its parent's.
 */
export function routesIn (tree: string): Array<{ method: string, url: string }> {
  const segments: string[] = []
  const routes: Array<{ method: string, url: string }> = []
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line)
    if (!match) continue
    const depth = match[1]!.length / 4
    segments.length = depth
    segments.push(match[2]!)
    const url = segments.join('').replace(/:(\w+)/g, '{$1}')
    for (const method of match[3]?.split(', ') ?? []) routes.push({ method, url })
  }
  return routes
}

/** Paths of object keys no JSON Schema or OpenAPI keyword has: TypeBox's `~kind` and the like. */
export function foreignKeys (value: unknown, path = '$'): string[] {
  if (typeof value !== 'object' || value === null) return []
  return Object.entries(value).flatMap(([key, child]) => [
    ...(key.startsWith('~') ? [`${path}.${key}`] : []),
    ...foreignKeys(child, `${path}.${key}`)
  ])
}

/** Not API routes: the docs, and the metrics, whose listing is the metrics plugin's business. */
export const UNDOCUMENTED = /^\/(docs|metrics)(\/|$)/

/**
 * Each operation of `doc` a reader would find bare or noisy: one without a summary, a description or
 * a tag, one under a tag the document does not declare, and any OPTIONS operation (a CORS preflight,
 * which is not part of the API). Empty when every operation is described.
 */
export function undescribedOperations (doc: OpenApiDocument): string[] {
  const declared = new Set((doc.tags ?? []).map(({ name }) => name))
  return Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.entries(operations).flatMap(([method, operation]) => {
      const name = `${method.toUpperCase()} ${path}`
      const problems = [
        ...(method === 'options' ? ['an OPTIONS row'] : []),
        ...(operation.summary ? [] : ['no summary']),
        ...(operation.description ? [] : ['no description']),
        ...(operation.tags?.length ? [] : ['no tag']),
        ...(operation.tags ?? []).filter((tag) => !declared.has(tag)).map((tag) => `tag "${tag}" not declared`)
      ]
      return problems.map((problem) => `${name}: ${problem}`)
    }))
}

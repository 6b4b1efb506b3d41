import type { Dispatcher } from 'undici'

/** A metadata document that could not be fetched or read; its message goes to the log. */
export class MetadataError extends Error {
  override name = 'MetadataError'
  readonly code = 'ERR_ISSUER_METADATA'
}

export interface MetadataFetchOptions {
  /** Bounds connecting, headers and body (inactivity) and caps the body size; shared with get-jwks. */
  dispatcher: Dispatcher
  /** Bound on the whole request, body included. */
  timeoutMs: number
}

export type MetadataResult = { status: 'found', body: unknown } | { status: 'not-found' }

/**
 * GETs a JSON metadata document: no redirects (an issuer's metadata is at a fixed place), a
 * deadline for the whole request, the body capped by the dispatcher, and a JSON content type.
 */
export async function fetchMetadata (
  url: string,
  { dispatcher, timeoutMs }: MetadataFetchOptions
): Promise<MetadataResult> {
  let response: Response
  try {
    response = await fetch(url, {
      dispatcher,
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/json' }
    } as RequestInit)
  } catch (error) {
    throw new MetadataError(`GET ${url} failed: ${describe(error)}`)
  }
  if (response.status === 404) {
    await response.body?.cancel()
    return { status: 'not-found' }
  }
  const contentType = response.headers.get('content-type') ?? ''
  if (response.status !== 200 || !/^application\/([\w.+-]+\+)?json\b/i.test(contentType)) {
    await response.body?.cancel()
    throw new MetadataError(
      `GET ${url} answered HTTP ${response.status} ${contentType.slice(0, 60)}, not a JSON document`
    )
  }
  try {
    return { status: 'found', body: JSON.parse(await response.text()) }
  } catch (error) {
    throw new MetadataError(`GET ${url} answered a body that is not valid JSON or too large: ${describe(error)}`)
  }
}

/** The message of a fetch failure, with undici's code (`UND_ERR_HEADERS_TIMEOUT`...) where there is one. */
export function describe (error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  // Its message already says what failed, the library's code included.
  if (error instanceof MetadataError) return error.message
  const cause = error.cause as { code?: string, message?: string } | undefined
  const code = (error as { code?: string }).code ?? cause?.code
  const message = cause?.message && cause.message !== error.message
    ? `${error.message} (${cause.message})`
    : error.message
  return code ? `${code} ${message}` : message
}

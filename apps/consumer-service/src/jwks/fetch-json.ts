import { Agent, request } from 'undici'

/** A response that was not a JSON document we could read; its message goes to the log. */
export class FetchJsonError extends Error {
  override name = 'FetchJsonError'
}

export interface JsonResponse {
  body: unknown
  cacheControl: string | undefined
}

export interface JsonFetcherOptions {
  /** Bounds connecting, waiting for headers, each body read, and the whole request. */
  timeoutMs: number
  /** Larger bodies are cut off and rejected: a JWKS is a few kilobytes. */
  maxBytes: number
}

export interface JsonFetcher {
  get: (url: string) => Promise<JsonResponse>
  close: () => Promise<void>
}

/**
 * GETs JSON documents from the issuer through one undici Agent whose timeouts apply to every
 * request (an `AbortSignal` made once would fire once and then abort everything after it).
 */
export function createJsonFetcher ({ timeoutMs, maxBytes }: JsonFetcherOptions): JsonFetcher {
  const dispatcher = new Agent({
    connectTimeout: timeoutMs,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    maxResponseSize: maxBytes
  })

  async function get (url: string): Promise<JsonResponse> {
    let response
    try {
      // The per-call signal bounds the total time, which a slow trickle of bytes could otherwise stretch.
      response = await request(url, {
        dispatcher,
        signal: AbortSignal.timeout(timeoutMs),
        headers: { accept: 'application/jwk-set+json, application/json' }
      })
    } catch (error) {
      throw new FetchJsonError(`GET ${url} failed: ${describe(error)}`)
    }
    const { statusCode, headers, body } = response
    try {
      const contentType = String(headers['content-type'] ?? '')
      if (statusCode !== 200) throw new FetchJsonError(`GET ${url} answered HTTP ${statusCode}`)
      if (!/^application\/([\w.+-]+\+)?json\b/i.test(contentType)) {
        throw new FetchJsonError(`GET ${url} answered content-type "${contentType.slice(0, 60)}", not JSON`)
      }
      const text = await body.text()
      try {
        return { body: JSON.parse(text), cacheControl: headers['cache-control'] as string | undefined }
      } catch {
        throw new FetchJsonError(`GET ${url} answered a body that is not valid JSON`)
      }
    } catch (error) {
      // Drop the rest of the body; destroying it emits an 'error' that must not go unhandled.
      body.on('error', () => {})
      body.destroy()
      if (error instanceof FetchJsonError) throw error
      throw new FetchJsonError(`GET ${url} failed while reading the body: ${describe(error)}`)
    }
  }

  return { get, close: () => dispatcher.close() }
}

function describe (error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: string }).code
    return code ? `${code} ${error.message}` : error.message
  }
  return String(error)
}

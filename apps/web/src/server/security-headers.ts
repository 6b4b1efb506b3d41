import type { FastifyHelmetOptions } from '@fastify/helmet'

/**
 * The page runs only its own scripts and styles (no 'unsafe-inline', no eval) and talks only to itself,
 * the issuer and the consumer: an injected script could not load code or send tokens anywhere else.
 */
export function helmetOptions ({ issuer, consumerUrl }: { issuer: string, consumerUrl: string }): FastifyHelmetOptions {
  return {
    contentSecurityPolicy: {
      // Spelled out in full: helmet's defaults add upgrade-insecure-requests, which breaks a loopback http issuer.
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        connectSrc: ["'self'", issuer, consumerUrl],
        formAction: ["'self'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"]
      }
    },
    referrerPolicy: { policy: 'no-referrer' },
    // As frame-ancestors 'none', for browsers that predate it.
    frameguard: { action: 'deny' },
    // The auth service is cross-origin: the page must not need CORP on its answers.
    crossOriginEmbedderPolicy: false
  }
}

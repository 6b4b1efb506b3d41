/**
 * What every peer server is told by the bench: its port, the issuer (exact `iss`), the audience and
 * its log level. The rules they check with these are peer-rules.ts.
 */
export const PORT = Number(process.env.PORT)
export const ISSUER = process.env.ISSUER ?? ''
if (!ISSUER) throw new Error('ISSUER is required')
export const AUDIENCE = process.env.AUDIENCE ?? 'consumer-service'
export const LOG_LEVEL = process.env.LOG_LEVEL ?? 'warn'
export const JWKS_URL = new URL('/.well-known/jwks.json', ISSUER)

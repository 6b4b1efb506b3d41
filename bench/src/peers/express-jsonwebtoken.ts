import express, { type NextFunction, type Request, type Response } from 'express'
import jwt, { type GetPublicKeyOrSecret, type JwtPayload } from 'jsonwebtoken'
import jwksClient from 'jwks-rsa'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import { PROTECTED_MESSAGE } from '../protected-message.js'
import { AUDIENCE, ISSUER, JWKS_URL, PORT } from './peer-env.js'
import { ALLOWED_ALGS, CLOCK_TOLERANCE_SECONDS, bearerToken } from './peer-rules.js'

/**
 * Peer: the classic stack (the seed demo's), Express 5 with jsonwebtoken's `verify` and a jwks-rsa
 * client as `getKey`, as jsonwebtoken's README wires them. jsonwebtoken has no EdDSA (its
 * algorithms are HS*, RS*, PS*, ES*), so that algorithm is not allowed here: such tokens get 401.
 * Express defaults are kept (an ETag per response, `x-powered-by`); it logs nothing.
 */
const client = jwksClient({ jwksUri: JWKS_URL.href })
const algorithms = ALLOWED_ALGS.filter((alg): alg is Exclude<SigningAlgorithm, 'EdDSA'> => alg !== 'EdDSA')

// The README's getKey reads `key.publicKey` whatever `err` is: with an unknown kid that throws in a
// callback and the process dies. The error goes to jsonwebtoken instead.
const getKey: GetPublicKeyOrSecret = (header, callback) => {
  client.getSigningKey(header.kid, (error, key) => {
    if (error || !key) return callback(error ?? new Error('no signing key'))
    callback(null, key.getPublicKey())
  })
}

function authenticate (request: Request, response: Response, next: NextFunction) {
  jwt.verify(bearerToken(request.headers.authorization) ?? '', getKey, {
    issuer: ISSUER, audience: AUDIENCE, algorithms, clockTolerance: CLOCK_TOLERANCE_SECONDS
  }, (error, payload) => {
    if (error || typeof payload !== 'object') return response.status(401).json({ error: 'invalid_token' })
    response.locals.claims = payload satisfies JwtPayload
    next()
  })
}

const app = express()
app.get('/health/ready', (_request, response) => { response.json({ status: 'ok' }) })
app.get('/api/v1/protected', authenticate, (_request, response) => {
  response.json({ message: PROTECTED_MESSAGE, claims: response.locals.claims })
})
app.listen(PORT, '127.0.0.1')

import Type, { type Static } from 'typebox'
import { KidSchema, SigningAlgorithmSchema } from './access-token.js'

/** Media type of a JWK Set document (RFC 7517 §8.5). */
export const JWKS_MEDIA_TYPE = 'application/jwk-set+json'

/** Path at which the auth service publishes its keys. */
export const JWKS_PATH = '/.well-known/jwks.json'

/**
 * A public signing key as published in the JWKS. Its members are the allow-list of what a published
 * key may carry: everything else — above all the private members `d`, `p`, `q`, `dp`, `dq`, `qi` —
 * is dropped before a key leaves the auth service, and the schema refuses it.
 */
export const PublicJwkSchema = Type.Object({
  kty: Type.Union([Type.Literal('RSA'), Type.Literal('EC'), Type.Literal('OKP')]),
  kid: KidSchema,
  use: Type.Literal('sig'),
  alg: SigningAlgorithmSchema,
  n: Type.Optional(Type.String()),
  e: Type.Optional(Type.String()),
  crv: Type.Optional(Type.String()),
  x: Type.Optional(Type.String()),
  y: Type.Optional(Type.String())
}, { additionalProperties: false })
export type PublicJwk = Static<typeof PublicJwkSchema>

/** The members a published key may carry, read off `PublicJwkSchema`: the one place the allow-list is written. */
export const PUBLIC_JWK_MEMBERS = Object.keys(PublicJwkSchema.properties) as ReadonlyArray<keyof PublicJwk>

/** A JWK Set document. */
export const JwksSchema = Type.Object({
  keys: Type.Array(PublicJwkSchema)
})
export type Jwks = Static<typeof JwksSchema>

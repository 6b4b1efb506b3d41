// Signing keys that never leave a PKCS#11 token (an HSM, a cloud KMS's PKCS#11 library, SoftHSM in
// tests). How it maps to the key lifecycle: a key's `next` row is created by `generate(kid, alg)`,
// which makes the pair inside the token (sensitive, not extractable) under the row's kid; the
// database keeps only the public JWK it returns and the token's label (the kid), no private material.
// `active` keys sign through `sign`, each call a round trip to the token; `publicJwk` and `has` let a
// start-up check that every row names a key the token holds. A key turning `retired` is `destroy`ed
// in the token, after its row stops being published. `assertSupports(alg)` at start-up refuses an
// algorithm the token lacks before any row is written.
export { openPkcs11Signer, type Pkcs11SignerOptions } from './pkcs11-token-signer.js'
export type { TokenSelector } from './open-session.js'
export { Pkcs11TokenError, type Pkcs11ErrorCode } from './pkcs11-error.js'
export type { TokenSigner } from './token-signer.js'

import pkcs11, { type Handle, type Template } from 'pkcs11js'
import type { SigningAlgorithm } from '@repo/contracts/access-token'
import type { PublicJwk } from '@repo/contracts/jwks'
import { privateKeyTemplate, publicKeyTemplate } from './key-templates.js'
import { acquireModule, releaseModule } from './loaded-module.js'
import { MECHANISMS } from './mechanisms.js'
import { openSession, type TokenSelector, type TokenSession } from './open-session.js'
import { ckrName, Pkcs11TokenError, tokenFailure } from './pkcs11-error.js'
import { PUBLIC_ATTRIBUTES, publicJwkOf } from './public-jwk.js'
import type { TokenSigner } from './token-signer.js'

export interface Pkcs11SignerOptions {
  /** The PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so. */
  modulePath: string
  token: TokenSelector
  /** The user PIN, as the caller read it from its file. */
  pin: string
}

/** Large enough for any signature here (RSA up to 4096 bits); the token says how much it used. */
const SIGNATURE_BUFFER = 512
const STALE_HANDLE = new Set(['CKR_OBJECT_HANDLE_INVALID', 'CKR_KEY_HANDLE_INVALID'])

class Pkcs11TokenSigner implements TokenSigner {
  readonly #module: pkcs11.PKCS11
  readonly #modulePath: string
  readonly #token: TokenSession
  // Private-key handles by kid: a lookup per signature would cost a round trip to a network HSM.
  readonly #handles = new Map<string, Handle>()
  #queue: Promise<unknown> = Promise.resolve()
  #closed = false

  constructor (module: pkcs11.PKCS11, modulePath: string, token: TokenSession) {
    this.#module = module
    this.#modulePath = modulePath
    this.#token = token
  }

  get label (): string {
    return this.#token.label
  }

  /** Runs `work` after every earlier call: one session runs one operation at a time. */
  #run<T> (work: () => T | Promise<T>): Promise<T> {
    const result = this.#queue.then(() => {
      if (this.#closed) throw new Pkcs11TokenError('PKCS11_FAILED', 'PKCS#11: the signer is closed')
      return work()
    })
    this.#queue = result.catch(() => undefined)
    return result
  }

  #find (kid: string, objectClass?: number): Handle[] {
    const template: Template = [{ type: pkcs11.CKA_ID, value: Buffer.from(kid) }]
    if (objectClass !== undefined) template.push({ type: pkcs11.CKA_CLASS, value: objectClass })
    const { session } = this.#token
    this.#module.C_FindObjectsInit(session, template)
    try {
      return this.#module.C_FindObjects(session, 16)
    } finally {
      this.#module.C_FindObjectsFinal(session)
    }
  }

  #one (kid: string, objectClass: number, half: string): Handle {
    const [handle] = this.#find(kid, objectClass)
    if (handle !== undefined) return handle
    throw new Pkcs11TokenError('PKCS11_KEY_NOT_FOUND',
      `PKCS#11: token "${this.#token.label}" has no ${half} key ${kid}`)
  }

  #assertSupports (alg: SigningAlgorithm): void {
    const available = new Set(this.#module.C_GetMechanismList(this.#token.slot))
    const { generate, generateName, sign, signName } = MECHANISMS[alg]
    const needed: Array<[number, string]> = [[generate, generateName], [sign, signName]]
    const missing = needed.filter(([mechanism]) => !available.has(mechanism)).map(([, name]) => name)
    if (missing.length === 0) return
    throw new Pkcs11TokenError('PKCS11_MECHANISM_UNSUPPORTED',
      `PKCS#11: token "${this.#token.label}" cannot do ${alg}: it lacks ${missing.join(' and ')}`)
  }

  assertSupports (alg: SigningAlgorithm): Promise<void> {
    return this.#run(() => this.#assertSupports(alg))
  }

  generate (kid: string, alg: SigningAlgorithm): Promise<PublicJwk> {
    return this.#run(async () => {
      this.#assertSupports(alg)
      if (this.#find(kid).length > 0) {
        throw new Pkcs11TokenError('PKCS11_KEY_EXISTS',
          `PKCS#11: token "${this.#token.label}" already has a key ${kid}`)
      }
      const mechanisms = MECHANISMS[alg]
      try {
        const { privateKey } = await this.#module.C_GenerateKeyPairAsync(this.#token.session,
          { mechanism: mechanisms.generate }, publicKeyTemplate(kid, mechanisms), privateKeyTemplate(kid, mechanisms))
        this.#handles.set(kid, privateKey)
      } catch (error) {
        throw tokenFailure(`generating the ${alg} key ${kid} in token "${this.#token.label}"`, error)
      }
      return this.#publicJwk(kid, alg)
    })
  }

  #publicJwk (kid: string, alg: SigningAlgorithm): PublicJwk {
    const handle = this.#one(kid, pkcs11.CKO_PUBLIC_KEY, 'public')
    const template = PUBLIC_ATTRIBUTES[alg].map((type) => ({ type }))
    const values = this.#module.C_GetAttributeValue(this.#token.session, handle, template).map(({ value }) => value)
    return publicJwkOf(kid, alg, values)
  }

  publicJwk (kid: string, alg: SigningAlgorithm): Promise<PublicJwk> {
    return this.#run(() => this.#publicJwk(kid, alg))
  }

  sign (kid: string, alg: SigningAlgorithm, signingInput: Buffer): Promise<Buffer> {
    const mechanisms = MECHANISMS[alg]
    const data = mechanisms.signedData(signingInput)
    const attempt = async (handle: Handle) => {
      this.#module.C_SignInit(this.#token.session, { mechanism: mechanisms.sign }, handle)
      return await this.#module.C_SignAsync(this.#token.session, data, Buffer.alloc(SIGNATURE_BUFFER))
    }
    return this.#run(async () => {
      const cached = this.#handles.get(kid)
      try {
        if (cached !== undefined) return await attempt(cached)
      } catch (error) {
        // Another process sharing the token destroyed or re-created the key: look it up again, once.
        if (!STALE_HANDLE.has(ckrName(error) ?? '')) throw tokenFailure(`signing with key ${kid}`, error)
        this.#handles.delete(kid)
      }
      const handle = this.#one(kid, pkcs11.CKO_PRIVATE_KEY, 'private')
      this.#handles.set(kid, handle)
      try {
        return await attempt(handle)
      } catch (error) {
        throw tokenFailure(`signing with key ${kid}`, error)
      }
    })
  }

  relabel (from: string, to: string): Promise<void> {
    return this.#run(() => {
      if (this.#find(to).length > 0) {
        throw new Pkcs11TokenError('PKCS11_KEY_EXISTS', `PKCS#11: token "${this.#token.label}" already has a key ${to}`)
      }
      const handles = this.#find(from)
      if (handles.length === 0) {
        throw new Pkcs11TokenError('PKCS11_KEY_NOT_FOUND', `PKCS#11: token "${this.#token.label}" has no key ${from}`)
      }
      const naming = [{ type: pkcs11.CKA_LABEL, value: to }, { type: pkcs11.CKA_ID, value: Buffer.from(to) }]
      try {
        for (const handle of handles) this.#module.C_SetAttributeValue(this.#token.session, handle, naming)
      } catch (error) {
        throw tokenFailure(`naming key ${from} ${to} in token "${this.#token.label}"`, error)
      }
      const cached = this.#handles.get(from)
      this.#handles.delete(from)
      if (cached !== undefined) this.#handles.set(to, cached)
    })
  }

  kids (): Promise<string[]> {
    return this.#run(() => {
      const { session } = this.#token
      this.#module.C_FindObjectsInit(session, [{ type: pkcs11.CKA_CLASS, value: pkcs11.CKO_PRIVATE_KEY }])
      let handles: Handle[] = []
      try {
        for (let batch = this.#module.C_FindObjects(session, 64); batch.length > 0;
          batch = this.#module.C_FindObjects(session, 64)) handles = [...handles, ...batch]
      } finally {
        this.#module.C_FindObjectsFinal(session)
      }
      return handles.map((handle) =>
        this.#module.C_GetAttributeValue(session, handle, [{ type: pkcs11.CKA_ID }])[0]?.value?.toString() ?? '')
    })
  }

  destroy (kid: string): Promise<void> {
    return this.#run(() => {
      this.#handles.delete(kid)
      for (const handle of this.#find(kid)) this.#module.C_DestroyObject(this.#token.session, handle)
    })
  }

  has (kid: string): Promise<boolean> {
    return this.#run(() => this.#find(kid, pkcs11.CKO_PRIVATE_KEY).length > 0)
  }

  close (): Promise<void> {
    return this.#run(() => {
      this.#closed = true
      try {
        this.#module.C_CloseSession(this.#token.session)
      } finally {
        releaseModule(this.#modulePath)
      }
    })
  }
}

/**
 * A signer on one PKCS#11 token: loads the module (once per process), finds the token, logs in.
 * Throws a `Pkcs11TokenError` naming the module or token, never the PIN.
 */
export function openPkcs11Signer ({ modulePath, token, pin }: Pkcs11SignerOptions): TokenSigner {
  const module = acquireModule(modulePath)
  try {
    return new Pkcs11TokenSigner(module, modulePath, openSession(module, token, pin))
  } catch (error) {
    releaseModule(modulePath)
    throw error
  }
}

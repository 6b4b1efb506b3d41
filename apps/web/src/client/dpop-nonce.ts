import * as oauth from 'oauth4webapi'

/**
 * Runs `attempt` (a request and the processing of its answer) once more when the server asks for a
 * DPoP nonce (RFC 9449 §8, `use_dpop_nonce`): the DPoP handle keeps the nonce the refusal carried, so
 * the second proof has it. Once only: a server that refuses its own fresh nonce is not asked again.
 */
export async function withDpopNonce<T> (attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt()
  } catch (error) {
    if (!oauth.isDPoPNonceError(error)) throw error
    return attempt()
  }
}

import createError from '@fastify/error'

/** One message for every bad credential: an unknown user and a wrong password look the same. */
export const InvalidCredentialsError = createError('invalid_credentials', 'Invalid user name or password', 401)

/** The service has no key to sign with (it is shutting down, or its key store was emptied). */
export const NoSigningKeyError = createError('temporarily_unavailable', 'No signing key is available', 503)

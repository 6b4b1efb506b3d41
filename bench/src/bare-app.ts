import Fastify from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { ProtectedResponseSchema, type ProtectedResponse } from '@repo/contracts/reports'
import { PROTECTED_MESSAGE } from './protected-message.js'

const BODY: ProtectedResponse = {
  message: PROTECTED_MESSAGE,
  claims: {
    iss: 'http://127.0.0.1:3001',
    sub: 'e71dbc7d-4974-4ec4-8517-68376820489c',
    aud: 'consumer-service',
    exp: 1795332208,
    iat: 1795331308,
    nbf: 1795331308,
    jti: '49ffa3f3-53d5-4129-be47-b26bc07f13c9',
    client_id: 'demo-client',
    scope: 'reports:read reports:write',
    role: 'write'
  }
}

/**
 * The ceiling: a bare Fastify 5 route answering the same JSON shape as the consumer's protected
 * route, through the same response schema, with the same logger level, and no authentication.
 * Un-listened: bare-server.ts serves it as its own process, the profiles inject into it.
 */
export function buildBareApp (logLevel: string) {
  const app = Fastify({ logger: { level: logLevel } }).withTypeProvider<TypeBoxTypeProvider>()
  app.get('/api/v1/protected', { schema: { response: { 200: ProtectedResponseSchema } } }, async () => BODY)
  app.get('/health/ready', async () => ({ status: 'ok' }))
  return app
}

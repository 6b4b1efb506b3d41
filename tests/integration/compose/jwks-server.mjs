// The stand-in issuer of consumer-memory.yml: serves the JWKS the test put in $JWKS (public keys only).
import { createServer } from 'node:http'

const jwks = process.env.JWKS ?? '{"keys":[]}'
createServer((request, response) => {
  if (request.url !== '/jwks') return response.writeHead(404).end()
  response.writeHead(200, { 'content-type': 'application/jwk-set+json', 'cache-control': 'max-age=300' }).end(jwks)
}).listen(3001, () => console.log('issuer: serving /jwks on port 3001'))

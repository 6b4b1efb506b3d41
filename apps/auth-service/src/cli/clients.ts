#!/usr/bin/env node
import { ClientStore } from '../clients/client-store.js'
import { SignalLog } from '../signals/signal-log.js'
import { removeClientAndTell } from './client-removal.js'
import { CLIENT_ID_MAX_LENGTH, KNOWN_SCOPES, parseClientsArgs } from './clients-args.js'
import { addClient, listClients, type ClientsContext } from './clients-commands.js'
import { runCommand } from './run-command.js'

const SCOPES = KNOWN_SCOPES.join(', ')
const DEFAULT_SCOPE = KNOWN_SCOPES[0]
const USAGE = `usage: clients <command>
  add <client_id> [options]  register a client: a machine (client_credentials), or with --redirect-uri an
                             app people log in to (authorization code with PKCE, refresh tokens)
      --scope "<scopes>"       what it may ask for, space-delimited: ${SCOPES} (default ${DEFAULT_SCOPE});
                               an app people log in to always may have openid too (naming it is allowed)
      --audience <aud>         the aud of its access tokens (default: AUDIENCE, the service's own)
      --auth <method>          client_secret_basic (default) or client_secret_post: the secret is
                               printed once, on standard output, and stored only as a hash
      --jwks-uri <url>         private_key_jwt with keys published there (https; http on loopback)
      --jwks-file <file>       private_key_jwt with the public JWK Set in that file (/dev/stdin: from a pipe)
      --redirect-uri <uri>     where the browser returns with the code (repeatable; https, or http on
                               127.0.0.1, [::1] or localhost; compared exactly, any port on a loopback IP)
      --post-logout-redirect-uri <uri>  where logout may return to (repeatable)
      --public                 no secret: a single-page or native app (PKCE protects its codes)
      --name "<name>"          what the login page calls it (default: its client id)
      --third-party            an app of another party: people are asked to consent
      --require-par            may start a login only through a pushed request (POST /par)
      --require-dpop           every grant needs a DPoP proof: only sender-constrained (DPoP) tokens
      --ssf-receiver           a Shared Signals receiver (a consumer that polls for revocations): scope
                               ssf.read ssf.manage, audience ISSUER; not with --scope, --audience, --public,
                               --redirect-uri or --require-dpop
      --resource <uri>         a resource (RFC 8707) its tokens may be asked for with resource=<uri>, which
                               becomes their aud (repeatable; an absolute URI without #, compared exactly)
      --secret-file <file>     write the new secret to <file> (created, mode 0600; never one that exists)
                               instead of printing it: for a deployment that hands it to a service
      --if-absent              when the client id is registered already, leave it as it is and exit 0
                               (a deployment's init step: register on the first start only)
  list [--json]              every client with its method, scope and audience (never a secret)
  remove <client_id>         delete a client; consumers with a Shared Signals stream are told and refuse
                             its access tokens within seconds, others accept them until they expire
A client id is 1 to ${CLIENT_ID_MAX_LENGTH} of A-Z a-z 0-9 . _ -. A "--" right after the command is skipped (pnpm
passes one); a later "--" ends the options, for an id that is also an option word.
Works on DATA_DIR (default ./data), also while the service runs: a change applies to its next request.
The database must exist (the service creates it on first start).`

await runCommand({
  name: 'clients',
  usage: USAGE,
  parse: parseClientsArgs,
  database: () => ({ hint: 'or start the service once to create one' }),
  async run ({ config, db }, args) {
    const context: ClientsContext = {
      store: new ClientStore(db),
      print: (line) => console.log(line),
      defaultAudience: config.audience,
      issuer: config.issuer,
      tokenTtlSeconds: config.tokenTtlSeconds,
      now: Date.now
    }
    switch (args.command) {
      case 'add': await addClient(context, args); break
      case 'list': await listClients(context, args.json); break
      case 'remove': await removeClientAndTell(context, new SignalLog(db, Date.now), args.clientId); break
    }
    return 0
  }
})

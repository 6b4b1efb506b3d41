# Both services and the browser app from one file, built from the repository root:
#   docker build --target auth-service -t jwks-demo/auth-service:local .
#   docker build --target consumer-service -t jwks-demo/consumer-service:local .
#   docker build --target web -t jwks-demo/web:local .
# and the one-shot certificate and secret maker of the compose overlays (--target certs, packages/dev-certs).
# (docker-compose.yml does the same.) The prune, install and build stages are shared, so the second
# target reuses every layer of the first and only adds its runtime stage.
# Every `RUN pnpm ...` that installs mounts the same BuildKit cache as the pnpm store: packages are
# downloaded once per machine and are never part of a layer.

FROM node:24-bookworm-slim AS base
ENV TURBO_TELEMETRY_DISABLED=1 \
    npm_config_update_notifier=false
WORKDIR /repo
# pnpm at the version of package.json's `packageManager`, fetched once by corepack.
COPY package.json ./
RUN corepack enable && corepack install

# turbo prune: the workspace cut down to the two apps and what they depend on. `out/json` holds only the
# package.json files, the pruned lockfile and pnpm-workspace.yaml (turbo keeps its `catalog:`);
# `out/full` the sources.
FROM base AS prune
# turbo itself, at the lockfile's version: install only the root workspace package (`--filter=.`, its
# devDependencies turbo, typescript, eslint and neostandard) from the lockfile, so there is no second
# turbo version to keep in step. `patche[s]` copies patches/ when it exists and nothing when it does
# not (an unmatched wildcard is no error): pnpm refuses to install when a patch named in
# pnpm-workspace.yaml is missing.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
COPY patche[s] ./patches/
RUN --mount=type=cache,id=pnpm-store,target=/root/.local/share/pnpm/store \
    pnpm install --frozen-lockfile --filter=.
COPY . .
# turbo prune also copies the patches the pruned lockfile still names into out/json/patches.
RUN pnpm exec turbo prune @repo/auth-service @repo/consumer-service @repo/dev-certs @repo/web --docker

FROM base AS build
# pkcs11js (the PKCS#11 binding the auth service signs through with keys in an HSM) compiles a native
# addon when it is installed: node-gyp needs Python, make and a C++ compiler, in this stage only (the
# runtime gets the compiled addon), and takes Node's headers from the image instead of downloading them.
ENV npm_config_nodedir=/usr/local
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# Dependencies first, from out/json alone: a README or source edit leaves these files unchanged, so
# this layer stays cached. The store is in the cache mount, not in a layer, so `pnpm fetch` and the
# offline install run in one RUN (a fetch layer could be cached while its mount had been pruned).
COPY --from=prune /repo/out/json/ ./
RUN --mount=type=cache,id=pnpm-store,target=/root/.local/share/pnpm/store \
    pnpm fetch && pnpm install --frozen-lockfile --offline
COPY --from=prune /repo/out/full/ ./
# Every package's tsconfig extends this one, and turbo prune does not copy it.
COPY tsconfig.base.json ./
RUN pnpm turbo run build --filter=@repo/auth-service --filter=@repo/consumer-service --filter=@repo/dev-certs \
      --filter=@repo/web
RUN --mount=type=cache,id=pnpm-store,target=/root/.local/share/pnpm/store \
    pnpm --filter=@repo/auth-service deploy --legacy --prod /deploy/auth-service \
 && pnpm --filter=@repo/consumer-service deploy --legacy --prod /deploy/consumer-service \
 && pnpm --filter=@repo/dev-certs deploy --legacy --prod /deploy/dev-certs \
 && pnpm --filter=@repo/web deploy --legacy --prod /deploy/web

# The one-shot `certs` service of docker-compose.tls.yml: makes a local CA and the auth service's
# certificate, or keeps them, in volumes, then exits (packages/dev-certs; no openssl needed, the
# official slim image has none); and docker-compose.postgres.yml's `secrets` service, which makes the
# replicas' key-encryption key once. Not a service image: no port, no HEALTHCHECK.
FROM node:24-bookworm-slim AS certs
ENV NODE_ENV=production \
    CERTS_DIR=/certs
WORKDIR /app
# Each directory is a volume root; a new named volume takes its owner and mode from here, so the
# unprivileged user owns them all and ca/ (the CA's private key) is its alone.
# kek/ holds the key-encryption key docker-compose.postgres.yml gives every auth-service replica.
RUN mkdir -p /certs/ca /certs/server /certs/trust /certs/kek && chown -R node:node /certs \
 && chmod 700 /certs/ca /certs/kek
USER node
COPY --from=build /deploy/dev-certs/package.json ./
COPY --from=build /deploy/dev-certs/node_modules ./node_modules
COPY --from=build /deploy/dev-certs/dist ./dist
CMD ["node", "dist/cli.js", "localhost", "127.0.0.1"]

# What both runtime images share: only dist and production node_modules are added to it, no sources,
# no dev tools, no package manager.
FROM node:24-bookworm-slim AS runtime
# HOST: the services bind 127.0.0.1 unless told otherwise; in a container they must listen on every
# interface for a published port to reach them.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    DATA_DIR=/app/data
WORKDIR /app
# The data directory is the only place the service writes, and it belongs to the unprivileged user.
# /app/signals is where compose's one-shot `register-consumer-receiver` leaves the consumer's Shared
# Signals client secret, on a volume that takes its owner and mode from here.
RUN mkdir -p /app/data /app/signals && chown node:node /app/data /app/signals && chmod 700 /app/data /app/signals
VOLUME ["/app/data"]
USER node
# Over https when the service serves TLS (TLS_CERT_FILE): the certificate must name 127.0.0.1 and
# its CA be trusted (NODE_EXTRA_CA_CERTS), as a client's would; nothing here skips verification.
HEALTHCHECK --interval=5s --timeout=3s --start-period=15s --retries=6 \
  CMD ["node", "-e", "fetch((process.env.TLS_CERT_FILE ? 'https' : 'http') + '://127.0.0.1:' + process.env.PORT + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/server.js"]

FROM runtime AS auth-service
ENV PORT=3001
COPY --from=build /deploy/auth-service/package.json ./
COPY --from=build /deploy/auth-service/node_modules ./node_modules
COPY --from=build /deploy/auth-service/dist ./dist
# The login, consent and logout pages' templates and stylesheet, read at run time (package.json "files").
COPY --from=build /deploy/auth-service/views ./views
EXPOSE 3001

FROM runtime AS consumer-service
ENV PORT=3000
COPY --from=build /deploy/consumer-service/package.json ./
COPY --from=build /deploy/consumer-service/node_modules ./node_modules
COPY --from=build /deploy/consumer-service/dist ./dist
EXPOSE 3000
# V8's young generation at 4 MiB semi-spaces, wherever the image runs: Node sizes them from the memory it
# sees (32 MiB each under load on a 24 GiB host, most of the consumer's peak RSS; 1 MiB in a 128 MiB
# container with --max-old-space-size=64, where objects still in flight get promoted). A flag, not
# NODE_OPTIONS, so compose's NODE_OPTIONS keeps its own (docs/performance.md#memory, docs/containers.md).
CMD ["node", "--max-semi-space-size=4", "dist/server.js"]

# docker-compose.hsm.yml's auth service: the same image plus Debian's SoftHSM2, its signing keys in a
# software token on a volume (SIGNING_KEY_STORE=pkcs11) instead of sealed in the database. The
# entrypoint makes the token and its PIN on the first start. SoftHSM shows the wiring a real HSM's
# PKCS#11 library plugs into; its token is a file, as safe as the volume it is on (docs/key-rotation.md).
FROM auth-service AS auth-service-softhsm
USER root
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends softhsm2 \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /app/softhsm/tokens /app/softhsm-pin \
 && printf 'directories.tokendir = /app/softhsm/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' \
      > /app/softhsm/softhsm2.conf \
 && chown -R node:node /app/softhsm /app/softhsm-pin && chmod 700 /app/softhsm/tokens /app/softhsm-pin
COPY --chmod=755 scripts/softhsm-entrypoint.sh /usr/local/bin/softhsm-entrypoint
ENV SOFTHSM2_CONF=/app/softhsm/softhsm2.conf \
    SIGNING_KEY_STORE=pkcs11 \
    PKCS11_MODULE=/usr/lib/softhsm/libsofthsm2.so \
    PKCS11_TOKEN_LABEL=auth-service \
    PKCS11_PIN_FILE=/app/softhsm-pin/pin
VOLUME ["/app/softhsm/tokens", "/app/softhsm-pin"]
USER node
ENTRYPOINT ["/usr/local/bin/softhsm-entrypoint"]
CMD ["node", "dist/server.js"]

# docker-compose.yml's `web` service: the browser app (apps/web), its built page and the small server
# that sends it with strict security headers and `/config.json`. No data, no volume: the page keeps its
# tokens in the browser's memory.
FROM node:24-bookworm-slim AS web
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
USER node
COPY --from=build /deploy/web/package.json ./
COPY --from=build /deploy/web/node_modules ./node_modules
COPY --from=build /deploy/web/dist ./dist
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=6 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/server/server.js"]

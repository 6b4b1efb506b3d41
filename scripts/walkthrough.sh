#!/usr/bin/env bash
# The README walkthrough as a script: log in, call the protected route, and check that the consumer
# refuses what it must. Exits non-zero on the first unexpected status.
# First waits until both services (and the web app, see WEB_URL) answer GET /health/ready with 200,
# so it can follow `docker compose up -d` straight away.
#   AUTH_URL (default http://localhost:3001)   CONSUMER_URL (default http://localhost:3000)
#   WEB_URL (default http://localhost:8080): the browser app of compose's `web` service; empty to leave
#     its step out (beside `pnpm start`, until the app is registered: apps/web/README.md).
#   AUTH_CA: the CA file curl trusts, instead of the system's, for an https AUTH_URL. Unset with an https
#     AUTH_URL (docker-compose.tls.yml), it is the compose stack's own CA, copied out of the auth-service
#     container (docker cp).
#   WAIT_SECONDS (default 90): how long to wait for both to be ready
#   CLIENTS_CLI: the command that runs the auth service's clients CLI on the service's database. The
#     default is the compose form, `docker compose exec -T auth-service node dist/cli/clients.js`; beside
#     `pnpm start`, from the repository root:
#     CLIENTS_CLI='pnpm --silent --filter @repo/auth-service exec node dist/cli/clients.js'
#   DPOP_CLI: the command that prints a DPoP proof (packages/dpop's proof command), with its key in
#     DPOP_KEY_FILE. The default is the compose form, the command the auth-service image holds, its key
#     in the container's /tmp: `docker compose exec -T -e DPOP_KEY_FILE=/tmp/walkthrough-dpop-key.json
#     auth-service node node_modules/@repo/dpop/dist/proof-bin.js`; beside `pnpm start`, from the
#     repository root after `pnpm build`: DPOP_CLI='pnpm -s --filter @repo/dpop proof', its key in
#     DPOP_KEY_FILE (unset: a new key in a temporary file, removed at the end).
# The machine step registers a client reports-bot, and removes it at the end (and first, if a run that
# stopped half-way left it behind: the compose volume outlives the containers).
# It can run any number of times in a row: the wrong password is tried for a user name new to each run
# (failed logins count per name: LOGIN_FAILURE_LIMIT), and a login refused by the per-IP limit
# (LOGIN_RATE_LIMIT, 30 a minute, each run logs in 4 times: 3 JSON logins and the login page) is
# retried once after its Retry-After.
set -euo pipefail

AUTH_URL=${AUTH_URL:-http://localhost:3001}
CONSUMER_URL=${CONSUMER_URL:-http://localhost:3000}
WEB_URL=${WEB_URL-http://localhost:8080}
WAIT_SECONDS=${WAIT_SECONDS:-90}
read -r -a CLIENTS_CMD <<< "${CLIENTS_CLI:-docker compose exec -T auth-service node dist/cli/clients.js}"
DPOP_COMPOSE_CLI='docker compose exec -T -e DPOP_KEY_FILE=/tmp/walkthrough-dpop-key.json auth-service'
read -r -a DPOP_CMD <<< "${DPOP_CLI:-$DPOP_COMPOSE_CLI node node_modules/@repo/dpop/dist/proof-bin.js}"
CLIENT_ID=reports-bot
# The browser step's app: a public client whose redirect URI is on loopback (nothing needs to listen:
# the step reads the code from the redirect, as an app's callback would).
APP_ID=walkthrough-app
APP_REDIRECT=http://127.0.0.1:8765/callback
# A name no earlier run has used: the wrong password's failure counts against it alone.
STRANGER="walkthrough-$(date +%s)-$$"
BODY=$(mktemp)
HEADERS=$(mktemp)
COMPOSE_CA=$(mktemp)
JAR=$(mktemp)
PROOF_ERRORS=$(mktemp)
# The proof key of a host-side DPOP_CLI, unless DPOP_KEY_FILE names one: a file the command creates.
DPOP_DIR=$(mktemp -d)
export DPOP_KEY_FILE=${DPOP_KEY_FILE:-$DPOP_DIR/key.json}
trap 'rm -rf "$BODY" "$HEADERS" "$COMPOSE_CA" "$JAR" "$PROOF_ERRORS" "$DPOP_DIR"' EXIT

# json FIELD: reads the field from the last response body, with jq when it is installed, else Node.
json() {
  if command -v jq >/dev/null 2>&1; then
    jq -rc ".$1" "$BODY"
  else
    node -e 'const v = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[process.argv[2]]; console.log(typeof v === "string" ? v : JSON.stringify(v))' "$BODY" "$1"
  fi
}

# expect STATUS DESCRIPTION CURL_ARGS...: runs curl, prints the status, fails unless it is STATUS.
expect() {
  local want=$1 what=$2
  shift 2
  local got
  got=$(curl_ -sS -D "$HEADERS" -o "$BODY" -w '%{http_code}' "$@")
  # A login refused for at most a minute is waited out once: the per-IP limit (LOGIN_RATE_LIMIT), which
  # runs back to back can reach. A longer refusal (a name's failures: 15 minutes) is a failure.
  local wait
  wait=$(retry_after)
  if [ "$got" = 429 ] && [ "$want" != 429 ] && [[ $* == *"/api/v1/auth"* || $* == *"/login"* ]] && [ -n "$wait" ] && [ "$wait" -le 60 ]; then
    echo "wait  ${wait}s: a rate limit of the auth service (LOGIN_RATE_LIMIT: logins per IP) refused $what" >&2
    sleep "$wait"
    got=$(curl_ -sS -D "$HEADERS" -o "$BODY" -w '%{http_code}' "$@")
  fi
  if [ "$got" != "$want" ]; then
    echo "FAIL  $what: expected HTTP $want, got $got" >&2
    cat "$BODY" >&2; echo >&2
    exit 1
  fi
  echo "ok    $what: HTTP $got"
}

# now_ms: milliseconds since the epoch (bash 5's clock; whole seconds on older shells, such as macOS's bash 3).
now_ms() {
  if [ -n "${EPOCHREALTIME:-}" ]; then
    local t=${EPOCHREALTIME/[.,]/}
    echo "${t%???}"
  else
    echo "$(( $(date +%s) * 1000 ))"
  fi
}

# expect_within MS STATUS DESCRIPTION CURL_ARGS...: like expect, but asks again every 50 ms until the answer
# is STATUS, and fails if MS milliseconds pass first; says how long it took.
expect_within() {
  local limit=$1 want=$2 what=$3
  shift 3
  local start got elapsed
  start=$(now_ms)
  while :; do
    got=$(curl_ -sS -D "$HEADERS" -o "$BODY" -w '%{http_code}' "$@")
    elapsed=$(( $(now_ms) - start ))
    [ "$got" = "$want" ] && break
    if [ "$elapsed" -gt "$limit" ]; then
      echo "FAIL  $what: still HTTP $got after $elapsed ms (expected $want within $limit ms)" >&2
      cat "$BODY" >&2; echo >&2
      exit 1
    fi
    sleep 0.05
  done
  echo "ok    $what: HTTP $got"
  echo "      after $elapsed ms"
}

# retry_after: the Retry-After seconds of the last response, if it had one.
retry_after() {
  sed -n 's/^[Rr]etry-[Aa]fter: *\([0-9]*\).*/\1/p' "$HEADERS" | head -n 1
}

# fail DESCRIPTION: the one FAIL line, then stop.
fail() {
  echo "FAIL  $1" >&2
  exit 1
}

# The CA for https: AUTH_CA, or the compose stack's (the certs service wrote it before auth-service started).
CURL_CA=()
if [ -n "${AUTH_CA:-}" ]; then
  CURL_CA=(--cacert "$AUTH_CA")
elif [[ $AUTH_URL == https://* ]]; then
  # With replicas (docker-compose.postgres.yml) there are several containers: they share the CA.
  AUTH_CONTAINER=$(docker compose ps -q auth-service 2>/dev/null | head -n 1 || true)
  if [ -z "$AUTH_CONTAINER" ] || ! docker cp "$AUTH_CONTAINER:/app/tls/ca.crt" "$COMPOSE_CA" >/dev/null; then
    fail "no CA for $AUTH_URL: no compose auth-service container to copy it from; set AUTH_CA to the CA file that signed its certificate"
  fi
  CURL_CA=(--cacert "$COMPOSE_CA")
  echo "ok    the compose stack's CA, copied out of auth-service: curl trusts it for $AUTH_URL"
fi

# curl, trusting the CA above (on bash 3 an empty array under set -u needs this spelling).
curl_() {
  curl ${CURL_CA[@]+"${CURL_CA[@]}"} "$@"
}

# clients ARGS...: runs the clients CLI (CLIENTS_CLI).
clients() {
  "${CLIENTS_CMD[@]}" "$@"
}

# proof METHOD URL [TOKEN]: prints a fresh DPoP proof for the request (with the token's hash), made by the
# proof command (DPOP_CLI). What it says on stderr (that it made a new key) is shown only when it fails.
proof() {
  local out
  if ! out=$("${DPOP_CMD[@]}" "$@" 2>"$PROOF_ERRORS"); then
    cat "$PROOF_ERRORS" >&2
    fail "make a DPoP proof with the proof command (${DPOP_CMD[*]})"
  fi
  printf '%s\n' "$out"
}

# remove_client [first] [CLIENT]: removes a walkthrough client (CLIENT_ID unless named). `first`: before
# registering it, where only one left behind by an earlier run is there, and none at all is fine.
remove_client() {
  local out client=${2:-$CLIENT_ID}
  if out=$(clients remove "$client" 2>&1); then
    echo "ok    remove client $client${1:+ (left by an earlier run)} with the clients CLI"
  elif [ "${1:-}" = first ] && [[ $out == *"no client $client"* ]]; then
    return 0
  else
    echo "$out" >&2
    fail "remove client $client with the clients CLI (${CLIENTS_CMD[*]})"
  fi
}

# location: the Location header of the last response.
location() {
  sed -n 's/^[Ll]ocation: *\(.*\)$/\1/p' "$HEADERS" | tr -d '\r' | head -n 1
}

# absolute URL: a Location made absolute against the issuer (the browser's view of where it is).
absolute() {
  case "$1" in
    /*) printf '%s%s\n' "$ISSUER" "$1" ;;
    *) printf '%s\n' "$1" ;;
  esac
}

# form_value NAME: the value of the hidden input NAME in the last page.
form_value() {
  sed -n "s/.*name=\"$1\" value=\"\([^\"]*\)\".*/\1/p" "$BODY" | head -n 1
}

# query_value NAME URL: a query parameter of URL, percent-decoded.
query_value() {
  local value
  value=$(printf '%s\n' "${2#*\?}" | tr '&' '\n' | sed -n "s/^$1=//p" | head -n 1)
  printf '%b\n' "${value//%/\\x}"
}

# login USER PASSWORD: prints the access token (the progress line goes to stderr).
login() {
  expect 200 "login as $1" -X POST "$AUTH_URL/api/v1/auth" \
    -H 'Content-Type: application/json' -d "{\"userName\":\"$1\",\"password\":\"$2\"}" >&2
  json access_token
}

# ready_status URL: the HTTP status of GET URL/health/ready, 000 when nothing answers.
ready_status() {
  curl_ -s -o /dev/null -m 2 -w '%{http_code}' "$1/health/ready" 2>/dev/null || true
}

# Both services (and the web app, with WEB_URL) must be ready: after `up -d` the containers run before
# they listen. One line while waiting; if the time runs out, which one is not ready and where to look.
wait_until_ready() {
  local deadline=$((SECONDS + WAIT_SECONDS)) auth consumer web=200 waiting=
  while :; do
    auth=$(ready_status "$AUTH_URL")
    consumer=$(ready_status "$CONSUMER_URL")
    [ -n "$WEB_URL" ] && web=$(ready_status "$WEB_URL")
    [ "$auth" = 200 ] && [ "$consumer" = 200 ] && [ "$web" = 200 ] && return 0
    if [ "$SECONDS" -ge "$deadline" ]; then
      not_ready auth-service "$AUTH_URL" "$auth"
      not_ready consumer-service "$CONSUMER_URL" "$consumer"
      not_ready web "$WEB_URL" "$web"
      exit 1
    fi
    if [ -z "$waiting" ]; then
      echo "waiting up to ${WAIT_SECONDS}s for auth-service ($AUTH_URL/health/ready), consumer-service" \
        "($CONSUMER_URL/health/ready)${WEB_URL:+ and web ($WEB_URL/health/ready)}"
      waiting=1
    fi
    sleep 1
  done
}
not_ready() {
  [ "$3" = 200 ] && return 0
  local answer="answered HTTP $3"
  [ "$3" = 000 ] && answer="did not answer"
  echo "FAIL  $1 is not ready after ${WAIT_SECONDS}s: GET $2/health/ready $answer" >&2
  echo "      check \`docker compose ps\` and \`docker compose logs $1\`" >&2
}

wait_until_ready

JANE=$(login Jane pass123)
JANE_REFRESH=$(json refresh_token)
JOHN=$(login John testpass)

expect 200 "Jane calls the protected route" "$CONSUMER_URL/api/v1/protected" -H "Authorization: Bearer $JANE"
echo "      verified claims: $(json claims)"

expect 201 "Jane creates a report (scope reports:write)" -X POST "$CONSUMER_URL/api/v1/reports" \
  -H "Authorization: Bearer $JANE" -H 'Content-Type: application/json' -d '{"title":"walkthrough"}'
expect 200 "John lists reports (scope reports:read)" "$CONSUMER_URL/api/v1/reports" -H "Authorization: Bearer $JOHN"
expect 403 "John may not create a report" -X POST "$CONSUMER_URL/api/v1/reports" \
  -H "Authorization: Bearer $JOHN" -H 'Content-Type: application/json' -d '{"title":"denied"}'
echo "      $(json code): $(json message)"

# Change one character in the middle of the signature (the last one may be only padding bits).
SIGNATURE=${JANE##*.}
if [ "${SIGNATURE:10:1}" = "A" ]; then swap=B; else swap=A; fi
TAMPERED="${JANE%.*}.${SIGNATURE:0:10}$swap${SIGNATURE:11}"
expect 401 "a tampered token is refused" "$CONSUMER_URL/api/v1/protected" -H "Authorization: Bearer $TAMPERED"
echo "      $(json code): $(json message)"
expect 401 "no token is refused" "$CONSUMER_URL/api/v1/protected"
# Not Jane: her failures would add up over runs until her own password is refused (429). An unknown
# name is answered exactly as a wrong password, so the step shows the same refusal.
expect 401 "a wrong password is refused" -X POST "$AUTH_URL/api/v1/auth" \
  -H 'Content-Type: application/json' -d "{\"userName\":\"$STRANGER\",\"password\":\"wrong\"}"
echo "      for $STRANGER, a user name new to this run: failed logins count per name (LOGIN_FAILURE_LIMIT)"

# A machine: a client registered with the CLI gets its own token (client_credentials, RFC 6749 §4.4).
remove_client first
ADDED=$(clients add "$CLIENT_ID" --scope reports:read --audience consumer-service) \
  || fail "register client $CLIENT_ID with the clients CLI (${CLIENTS_CMD[*]})"
# The secret is on the one line the CLI prints it on; it is never echoed here.
SECRET=$(printf '%s\n' "$ADDED" | sed -n 's/^client_secret (shown once, store it now): //p')
[ -n "$SECRET" ] || fail "register client $CLIENT_ID: the CLI printed no client_secret line"
echo "ok    register client $CLIENT_ID with the clients CLI"
echo "      ${ADDED%%$'\n'*}"
expect 200 "$CLIENT_ID gets a token (client_credentials, client_secret_basic)" -u "$CLIENT_ID:$SECRET" \
  -d grant_type=client_credentials -d scope=reports:read "$AUTH_URL/oauth/token"
BOT=$(json access_token)
echo "      scope: $(json scope), expires_in: $(json expires_in)"
expect 200 "$CLIENT_ID lists reports with it" "$CONSUMER_URL/api/v1/reports" -H "Authorization: Bearer $BOT"
expect 403 "$CLIENT_ID may not create a report" -X POST "$CONSUMER_URL/api/v1/reports" \
  -H "Authorization: Bearer $BOT" -H 'Content-Type: application/json' -d '{"title":"denied"}'

# DPoP (RFC 9449): the same client with a key pair. A proof (a JWT its key signs, for one method and
# URL) goes with the token request; the token is then bound to the key (cnf.jkt), and each call with
# it needs a fresh proof carrying its hash. The proof names the token endpoint as the issuer publishes it.
expect 200 "discovery: the token endpoint, which a proof names" "$AUTH_URL/.well-known/oauth-authorization-server"
DPOP_TOKEN_ENDPOINT=$(json token_endpoint)
PROOF=$(proof POST "$DPOP_TOKEN_ENDPOINT")
expect 200 "$CLIENT_ID gets a DPoP-bound token (client_credentials with a DPoP proof)" -u "$CLIENT_ID:$SECRET" \
  -H "DPoP: $PROOF" -d grant_type=client_credentials -d scope=reports:read "$DPOP_TOKEN_ENDPOINT"
[ "$(json token_type)" = DPoP ] || fail "the bound token's token_type is $(json token_type), not DPoP"
BOUND=$(json access_token)
# The consumer accepts it below only with a proof by the key its cnf.jkt names (RFC 7638 thumbprint).
echo "      token_type: $(json token_type), the token bound to the proof's key (its cnf.jkt)"
PROOF=$(proof GET "$CONSUMER_URL/api/v1/reports" "$BOUND")
expect 200 "$CLIENT_ID lists reports with it: Authorization: DPoP and a fresh proof" "$CONSUMER_URL/api/v1/reports" \
  -H "Authorization: DPoP $BOUND" -H "DPoP: $PROOF"
expect 401 "the same proof sent again is refused (a replay)" "$CONSUMER_URL/api/v1/reports" \
  -H "Authorization: DPoP $BOUND" -H "DPoP: $PROOF"
echo "      $(sed -n 's/^[Ww][Ww][Ww]-[Aa]uthenticate: *\(.*\)$/\1/p' "$HEADERS" | tr -d '\r' | head -n 1)"
expect 401 "the bound token sent as a bearer token is refused" "$CONSUMER_URL/api/v1/reports" \
  -H "Authorization: Bearer $BOUND"
echo "      $(json code): $(json message)"

# Refresh: Jane's login came with a refresh token; each use returns a new one. A retry of the used one
# right after (its answer lost) gets the same new one back (REFRESH_TOKEN_REUSE_GRACE); once that new
# one has been used too, the old one presented again is reuse: refused, and the whole family revoked.
expect 200 "Jane's refresh token gets new tokens (refresh_token, client demo-client)" \
  -d grant_type=refresh_token -d client_id=demo-client -d "refresh_token=$JANE_REFRESH" "$AUTH_URL/oauth/token"
NEW_REFRESH=$(json refresh_token)
case "$NEW_REFRESH" in
  ''|null|undefined|"$JANE_REFRESH") fail "the refresh returned no new refresh token" ;;
esac
echo "      a new refresh token replaces the used one"
expect 200 "Jane calls the protected route with the refreshed access token" "$CONSUMER_URL/api/v1/protected" \
  -H "Authorization: Bearer $(json access_token)"
expect 200 "the used refresh token retried at once gets the same new one (a lost answer)" \
  -d grant_type=refresh_token -d client_id=demo-client -d "refresh_token=$JANE_REFRESH" "$AUTH_URL/oauth/token"
[ "$(json refresh_token)" = "$NEW_REFRESH" ] || fail "the retry returned another refresh token than the first answer"
expect 200 "the new refresh token gets new tokens in turn" \
  -d grant_type=refresh_token -d client_id=demo-client -d "refresh_token=$NEW_REFRESH" "$AUTH_URL/oauth/token"
NEWEST_REFRESH=$(json refresh_token)
expect 400 "the first refresh token, presented after its successor was used, is refused (reuse)" \
  -d grant_type=refresh_token -d client_id=demo-client -d "refresh_token=$JANE_REFRESH" "$AUTH_URL/oauth/token"
echo "      $(json error): $(json error_description)"
expect 400 "the reuse revoked the family: the newest refresh token is refused too" \
  -d grant_type=refresh_token -d client_id=demo-client -d "refresh_token=$NEWEST_REFRESH" "$AUTH_URL/oauth/token"

remove_client

# A person logs in through the browser (authorization code with PKCE, RFC 7636): the app never sees the
# password. curl plays the browser here, with a cookie jar, at the issuer's own URL (the authorization
# endpoint the metadata names: http://auth.localhost:3001 in compose, which curl, like every browser,
# resolves to loopback). The app is a public client, registered with its redirect URI.
remove_client first "$APP_ID"
clients add "$APP_ID" --public --name "Walkthrough app" --redirect-uri "$APP_REDIRECT" \
  --scope "reports:read reports:write" --audience consumer-service >/dev/null \
  || fail "register the browser app $APP_ID with the clients CLI (${CLIENTS_CMD[*]})"
echo "ok    register the browser app $APP_ID (public client, redirect URI $APP_REDIRECT)"
expect 200 "discovery: the authorization server's metadata" "$AUTH_URL/.well-known/oauth-authorization-server"
AUTHORIZE_ENDPOINT=$(json authorization_endpoint)
TOKEN_ENDPOINT=$(json token_endpoint)
ISSUER=$(json issuer)
VERIFIER=$(openssl rand -base64 48 | tr '+/' '-_' | tr -d '=\n')
CHALLENGE=$(printf %s "$VERIFIER" | openssl dgst -sha256 -binary | openssl base64 -A | tr '+/' '-_' | tr -d '=')
STATE=$(openssl rand -hex 8)
expect 303 "the app sends the browser to the authorization endpoint: no session yet, so the login page" \
  -c "$JAR" -b "$JAR" -G "$AUTHORIZE_ENDPOINT" -d response_type=code -d "client_id=$APP_ID" \
  --data-urlencode "redirect_uri=$APP_REDIRECT" --data-urlencode "scope=openid reports:read reports:write" \
  -d "state=$STATE" -d "code_challenge=$CHALLENGE" -d code_challenge_method=S256
LOGIN_PAGE=$(absolute "$(location)")
expect 200 "the login page" -c "$JAR" -b "$JAR" "$LOGIN_PAGE"
CSRF=$(form_value _csrf)
INTERACTION=$(form_value interaction)
if [ -z "$CSRF" ] || [ -z "$INTERACTION" ]; then fail "the login page has no _csrf or interaction field"; fi
expect 303 "Jane signs in on the login page" -c "$JAR" -b "$JAR" "${LOGIN_PAGE%%\?*}" \
  --data-urlencode "_csrf=$CSRF" --data-urlencode "interaction=$INTERACTION" \
  --data-urlencode userName=Jane --data-urlencode password=pass123
expect 303 "the authorization resumes in her new session" -c "$JAR" -b "$JAR" "$(absolute "$(location)")"
CALLBACK=$(location)
[[ $CALLBACK == "$APP_REDIRECT?"* ]] || fail "the browser was sent to $CALLBACK, not to the app's redirect URI"
CODE=$(query_value code "$CALLBACK")
[ "$(query_value state "$CALLBACK")" = "$STATE" ] || fail "the redirect did not return the app's state unchanged"
[ "$(query_value iss "$CALLBACK")" = "$ISSUER" ] || fail "the redirect did not name the issuer (iss, RFC 9207)"
echo "      the browser lands on $APP_REDIRECT?code=…&state=…&iss=… (state and iss checked)"
expect 200 "the app exchanges the code with its PKCE verifier" -d grant_type=authorization_code \
  -d "client_id=$APP_ID" -d "code=$CODE" --data-urlencode "redirect_uri=$APP_REDIRECT" \
  -d "code_verifier=$VERIFIER" "$TOKEN_ENDPOINT"
APP_TOKEN=$(json access_token)
APP_ID_TOKEN=$(json id_token)
[ "$APP_ID_TOKEN" != null ] || fail "the answer has no ID token (scope openid)"
echo "      access token, refresh token and ID token; scope: $(json scope)"
expect 200 "Jane calls the protected route with the app's token" "$CONSUMER_URL/api/v1/protected" \
  -H "Authorization: Bearer $APP_TOKEN"
# Jane signs out (RP-initiated logout, her ID token vouching for the request). The auth service ends her
# session and tells every consumer that receives its Shared Signals (a CAEP session-revoked event); the
# consumer refuses the app's access token within the stated bound, 2 s, not at its expiry 15 minutes on.
# A consumer receives the signals only when it has receiver credentials (compose gives it them; beside
# `pnpm start`, see the README): its readiness details then name them. Without, the step is left out.
if curl_ -s "$CONSUMER_URL/health/ready" | grep -q '"signals"'; then
  expect 200 "Jane signs out at the auth service (RP-initiated logout with her ID token)" -c "$JAR" -b "$JAR" \
    -G "$ISSUER/logout" --data-urlencode "id_token_hint=$APP_ID_TOKEN"
  expect_within 2000 401 "the consumer refuses the app's token: her session ended (Shared Signals, within 2 s)" \
    "$CONSUMER_URL/api/v1/protected" -H "Authorization: Bearer $APP_TOKEN"
  echo "      $(json code): $(json message)"
else
  echo "skip  Jane signs out: the consumer receives no Shared Signals (no SSF_CLIENT_ID), so it would not know"
fi
expect 400 "the same code a second time is refused" -d grant_type=authorization_code -d "client_id=$APP_ID" \
  -d "code=$CODE" --data-urlencode "redirect_uri=$APP_REDIRECT" -d "code_verifier=$VERIFIER" "$TOKEN_ENDPOINT"
echo "      $(json error): $(json error_description)"
remove_client "" "$APP_ID"

# The browser app (compose's `web` service): its page under a strict CSP, its configuration naming
# this issuer, the auth service knowing it (registered by the one-shot register-web-app), and the
# consumer letting its scripts call the API (CORS). Open WEB_URL in a browser for the rest.
if [ -n "$WEB_URL" ]; then
  expect 200 "the browser app's page" "$WEB_URL/"
  CSP=$(sed -n 's/^[Cc]ontent-[Ss]ecurity-[Pp]olicy: *\(.*\)$/\1/p' "$HEADERS" | tr -d '\r')
  [[ $CSP == *"script-src 'self'"* && $CSP != *unsafe-inline* ]] \
    || fail "the browser app's page has no strict Content-Security-Policy (got: ${CSP:-none})"
  expect 200 "the browser app's configuration" "$WEB_URL/config.json"
  [ "$(json issuer)" = "$ISSUER" ] || fail "the browser app signs in at $(json issuer), not at the issuer $ISSUER"
  WEB_CLIENT=$(json clientId)
  expect 303 "the auth service knows the browser app ($WEB_CLIENT): its sign-in starts at the login page" \
    -G "$AUTHORIZE_ENDPOINT" -d response_type=code -d "client_id=$WEB_CLIENT" \
    --data-urlencode "redirect_uri=$WEB_URL/callback" --data-urlencode "scope=openid reports:read reports:write" \
    -d "state=$STATE" -d "code_challenge=$CHALLENGE" -d code_challenge_method=S256
  [[ $(absolute "$(location)") == "$ISSUER/login?"* ]] || fail "the sign-in went to $(location), not to the login page"
  expect 204 "the consumer lets the app's scripts call it (a CORS preflight from its origin)" -X OPTIONS \
    -H "Origin: $WEB_URL" -H 'Access-Control-Request-Method: POST' \
    -H 'Access-Control-Request-Headers: authorization, content-type' "$CONSUMER_URL/api/v1/reports"
  grep -qi "^access-control-allow-origin: $WEB_URL" "$HEADERS" \
    || fail "the consumer's preflight answer does not allow $WEB_URL (CORS_ORIGINS)"
  echo "      open $WEB_URL in a browser and sign in as Jane/pass123"
fi

# What the operator sees: the consumer counted the verifications above (Prometheus text format).
expect 200 "the consumer's metrics" "$CONSUMER_URL/metrics"
counter() {
  awk -v name="$1" '$1 == name { total += $2 } END { print total + 0 }' "$BODY"
}
ACCEPTED=$(counter 'jwt_verifications_total{outcome="accepted",reason="none"}')
REJECTED=$(counter 'jwt_verifications_total{outcome="rejected",reason="signature"}')
if [ "$ACCEPTED" -lt 1 ] || [ "$REJECTED" -lt 1 ]; then
  fail "the consumer's metrics show accepted=$ACCEPTED and signature-rejected=$REJECTED verifications, expected at least 1 each"
fi
echo "      jwt_verifications_total: $ACCEPTED accepted, $REJECTED refused for their signature (and more by reason)"

echo "walkthrough passed"

#!/usr/bin/env bash
# The README walkthrough as a script: log in, call the protected route, and check that the consumer
# refuses what it must. Exits non-zero on the first unexpected status.
# First waits until both services answer GET /health/ready with 200, so it can follow
# `docker compose up -d` straight away.
#   AUTH_URL (default http://localhost:3001)   CONSUMER_URL (default http://localhost:3000)
#   WAIT_SECONDS (default 90): how long to wait for both to be ready
set -euo pipefail

AUTH_URL=${AUTH_URL:-http://localhost:3001}
CONSUMER_URL=${CONSUMER_URL:-http://localhost:3000}
WAIT_SECONDS=${WAIT_SECONDS:-90}
BODY=$(mktemp)
trap 'rm -f "$BODY"' EXIT

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
  got=$(curl -sS -o "$BODY" -w '%{http_code}' "$@")
  if [ "$got" != "$want" ]; then
    echo "FAIL  $what: expected HTTP $want, got $got" >&2
    cat "$BODY" >&2; echo >&2
    exit 1
  fi
  echo "ok    $what: HTTP $got"
}

# login USER PASSWORD: prints the access token (the progress line goes to stderr).
login() {
  expect 200 "login as $1" -X POST "$AUTH_URL/api/v1/auth" \
    -H 'Content-Type: application/json' -d "{\"userName\":\"$1\",\"password\":\"$2\"}" >&2
  json access_token
}

# ready_status URL: the HTTP status of GET URL/health/ready, 000 when nothing answers.
ready_status() {
  curl -s -o /dev/null -m 2 -w '%{http_code}' "$1/health/ready" 2>/dev/null || true
}

# Both services must be ready: after `up -d` the containers run before they listen. One line while
# waiting; if the time runs out, which service is not ready and where to look.
wait_until_ready() {
  local deadline=$((SECONDS + WAIT_SECONDS)) auth consumer waiting=
  while :; do
    auth=$(ready_status "$AUTH_URL")
    consumer=$(ready_status "$CONSUMER_URL")
    [ "$auth" = 200 ] && [ "$consumer" = 200 ] && return 0
    if [ "$SECONDS" -ge "$deadline" ]; then
      not_ready auth-service "$AUTH_URL" "$auth"
      not_ready consumer-service "$CONSUMER_URL" "$consumer"
      exit 1
    fi
    if [ -z "$waiting" ]; then
      echo "waiting up to ${WAIT_SECONDS}s for auth-service ($AUTH_URL/health/ready) and consumer-service ($CONSUMER_URL/health/ready)"
      waiting=1
    fi
    sleep 1
  done
}

# not_ready SERVICE URL STATUS: explains a service that did not become ready (nothing when it is).
not_ready() {
  [ "$3" = 200 ] && return 0
  local answer="answered HTTP $3"
  [ "$3" = 000 ] && answer="did not answer"
  echo "FAIL  $1 is not ready after ${WAIT_SECONDS}s: GET $2/health/ready $answer" >&2
  echo "      check \`docker compose ps\` and \`docker compose logs $1\`" >&2
}

wait_until_ready

JANE=$(login Jane pass123)
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
expect 401 "a wrong password is refused" -X POST "$AUTH_URL/api/v1/auth" \
  -H 'Content-Type: application/json' -d '{"userName":"Jane","password":"wrong"}'

echo "walkthrough passed"

#!/bin/sh
# The entrypoint of the auth-service-softhsm image (docker-compose.hsm.yml): on the first start, makes
# the SoftHSM2 token the service keeps its signing keys in, on its volume, with a user PIN generated
# into PKCS11_PIN_FILE (another volume; never in the image, the compose file or the environment). On
# every later start the token is there and this only hands over to the service.
set -eu
label="${PKCS11_TOKEN_LABEL:?PKCS11_TOKEN_LABEL names the token}"
pin_file="${PKCS11_PIN_FILE:?PKCS11_PIN_FILE names the file of the PIN}"
umask 077

if ! softhsm2-util --show-slots | grep -q "Label:[[:space:]]*${label}[[:space:]]*\$"; then
  if [ -e "$pin_file" ]; then
    # A PIN without its token: the token volume was removed. Making a new token would orphan every key
    # the database names; the service refuses to start instead, naming the missing key.
    echo "softhsm: no token \"$label\" but a PIN file at $pin_file: not making a new token" >&2
  else
    random() { node -e "process.stdout.write(require('node:crypto').randomBytes(24).toString('base64url'))"; }
    random > "$pin_file.new"
    # The security officer PIN only re-initialises the token; nobody needs it here, so it is not kept.
    softhsm2-util --init-token --free --label "$label" --pin "$(cat "$pin_file.new")" --so-pin "$(random)" >/dev/null
    mv "$pin_file.new" "$pin_file"
    echo "softhsm: made token \"$label\"; its user PIN is in $pin_file"
  fi
fi
exec "$@"

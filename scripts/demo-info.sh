#!/usr/bin/env bash
# Prints where to log in to the running demo stack and where to read the SMS it sent.
set -euo pipefail
source "$(dirname "$0")/common.sh"

cat <<INFO

The demo is running (stop it with: make stop).

  Log in:          http://127.0.0.1:$KEYCLOAK_PORT/realms/demo/account
                   user "demo", password "demo"; the second step asks for an SMS code
  Read the SMS:    http://127.0.0.1:$STANDIN_HTTP_PORT/_standin/
                   (the stand-in's gateway API itself is on https://127.0.0.1:$STANDIN_HTTPS_PORT)
  Admin console:   http://127.0.0.1:$KEYCLOAK_PORT/admin/   user "$ADMIN_USER", password "$ADMIN_PASSWORD"
                   realm "demo", Authentication > browser-sms > SMS Authentication (2FA) settings
  Logs:            $RUN_DIR/keycloak.log, $RUN_DIR/standin.log

INFO

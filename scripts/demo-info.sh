#!/usr/bin/env bash
# Prints where to log in to the running demo stack and where to read the SMS it sent.
set -euo pipefail
source "$(dirname "$0")/common.sh"

# Repeats any overridden run directory and ports, so the printed command stops this stack only.
stop_command="make stop"
if [[ "$RUN_DIR" != "$ROOT/.run" || "$KEYCLOAK_PORT" != 8080 || "$STANDIN_HTTPS_PORT" != 8443 ]]; then
  stop_command="RUN_DIR=$RUN_DIR KEYCLOAK_PORT=$KEYCLOAK_PORT KEYCLOAK_MANAGEMENT_PORT=$KEYCLOAK_MANAGEMENT_PORT"
  stop_command+=" STANDIN_HTTPS_PORT=$STANDIN_HTTPS_PORT STANDIN_HTTP_PORT=$STANDIN_HTTP_PORT bash scripts/stack.sh stop"
fi

cat <<INFO

The demo is running. Stop it with: $stop_command

  Log in:          http://127.0.0.1:$KEYCLOAK_PORT/realms/demo/account
                   user "demo", password "demo"; the second step asks for an SMS code
  Read the SMS:    http://127.0.0.1:$STANDIN_HTTP_PORT/_standin/
                   (the stand-in's gateway API itself is on https://127.0.0.1:$STANDIN_HTTPS_PORT)
  Admin console:   http://127.0.0.1:$KEYCLOAK_PORT/admin/   user "$ADMIN_USER", password "$ADMIN_PASSWORD"
                   realm "demo", Authentication > browser-sms > SMS Authentication (2FA) settings
  Logs:            $RUN_DIR/keycloak.log, $RUN_DIR/standin.log

INFO

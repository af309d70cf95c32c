#!/usr/bin/env bash
# Runs the end-to-end tests: starts the stack, runs the browser tests against it, stops the stack.
set -euo pipefail
source "$(dirname "$0")/common.sh"

trap 'bash "$ROOT/scripts/stack.sh" stop' EXIT
bash "$ROOT/scripts/stack.sh" start

cd "$ROOT/e2e"
KEYCLOAK_URL="http://127.0.0.1:$KEYCLOAK_PORT" \
STANDIN_URL="http://127.0.0.1:$STANDIN_HTTP_PORT" \
KEYCLOAK_LOG="$RUN_DIR/keycloak.log" \
ADMIN_USER="$ADMIN_USER" \
ADMIN_PASSWORD="$ADMIN_PASSWORD" \
SCREENSHOT_DIR="$RUN_DIR/screenshots" \
RUN_DIR="$RUN_DIR" \
STANDIN_HTTPS_URL="https://127.0.0.1:$STANDIN_HTTPS_PORT" \
  node --test --test-concurrency=1 --test-reporter=spec

#!/usr/bin/env bash
# Starts or stops the demo stack on 127.0.0.1: the SMSEagle stand-in (HTTPS with its own CA) and a
# Keycloak with the provider jar in providers/ and the demo realm imported.
# Usage: scripts/stack.sh start|stop
# Expects target/release/libsms2fa.so and the provider jar to be built (make build).
set -euo pipefail
source "$(dirname "$0")/common.sh"

standin_pid="$RUN_DIR/standin.pid"
keycloak_pid="$RUN_DIR/keycloak.pid"
standin_log="$RUN_DIR/standin.log"
keycloak_log="$RUN_DIR/keycloak.log"

stop_stack() {
  stop_pid_file "$keycloak_pid"
  stop_pid_file "$standin_pid"
}

start_standin() {
  local cert_dir="$RUN_DIR/standin-certs"
  rm -rf "$cert_dir"
  mkdir -p "$cert_dir"
  log "starting the SMSEagle stand-in on https://127.0.0.1:$STANDIN_HTTPS_PORT"
  # Empty the log first, so the READY and CA checks below cannot read the previous run's lines.
  : >"$standin_log"
  python3 "$ROOT/standin/smseagle_standin.py" --host 127.0.0.1 --https-port "$STANDIN_HTTPS_PORT" \
    --http-port "$STANDIN_HTTP_PORT" --cert-dir "$cert_dir" --token "$STANDIN_TOKEN" --token "$STANDIN_SMS_ONLY_TOKEN:sms" \
    >"$standin_log" 2>&1 &
  echo $! >"$standin_pid"
  local deadline=$((SECONDS + 30))
  until grep -q '^READY https://' "$standin_log"; do
    kill -0 "$(cat "$standin_pid")" 2>/dev/null || die "the stand-in stopped during start; see $standin_log"
    ((SECONDS < deadline)) || die "the stand-in did not report READY within 30 s; see $standin_log"
    sleep 0.2
  done
  STANDIN_CA_FILE=$(sed -n 's/^CA //p' "$standin_log" | head -n 1)
  [[ -f "$STANDIN_CA_FILE" ]] || die "the stand-in printed no CA file; see $standin_log"
}

# Writes the demo realm with the stand-in's URL, token and CA file filled in.
render_realm() {
  local target=$1
  STANDIN_URL="https://127.0.0.1:$STANDIN_HTTPS_PORT" STANDIN_CA_FILE="$STANDIN_CA_FILE" \
  STANDIN_TOKEN="$STANDIN_TOKEN" python3 - "$ROOT/demo/realm-demo.json" "$target" <<'PY'
import json, os, sys

source, target = sys.argv[1], sys.argv[2]
text = open(source, encoding="utf-8").read()
for name in ("STANDIN_URL", "STANDIN_CA_FILE", "STANDIN_TOKEN"):
    # json.dumps escapes the value for a JSON string, and [1:-1] drops the quotes it adds.
    text = text.replace(f"@{name}@", json.dumps(os.environ[name])[1:-1])
json.loads(text)
open(target, "w", encoding="utf-8").write(text)
PY
}

start_keycloak() {
  [[ -f "$NATIVE_LIB" ]] || die "$NATIVE_LIB is missing; run make build"
  [[ -f "$PROVIDER_JAR" ]] || die "$PROVIDER_JAR is missing; run make build"
  bash "$ROOT/scripts/fetch-keycloak.sh"

  rm -rf "$KEYCLOAK_HOME/data"
  mkdir -p "$KEYCLOAK_HOME/data/import"
  rm -f "$KEYCLOAK_HOME"/providers/keycloak-sms2fa-*.jar
  cp "$PROVIDER_JAR" "$KEYCLOAK_HOME/providers/"
  render_realm "$KEYCLOAK_HOME/data/import/demo-realm.json"

  # The demo realm's API secret is the vault reference ${vault.smseagle_token}. The file vault reads
  # <realm>_<name> with each underscore of the name doubled.
  local vault_dir="$RUN_DIR/vault"
  rm -rf "$vault_dir"
  mkdir -p "$vault_dir"
  chmod 700 "$vault_dir"
  (umask 077 && printf '%s' "$STANDIN_TOKEN" >"$vault_dir/demo_smseagle__token")

  log "running kc.sh build with the provider"
  "$KEYCLOAK_HOME/bin/kc.sh" build --health-enabled=true --vault=file >"$RUN_DIR/keycloak-build.log" 2>&1 \
    || die "kc.sh build failed; see $RUN_DIR/keycloak-build.log"

  log "starting Keycloak $KEYCLOAK_VERSION on http://127.0.0.1:$KEYCLOAK_PORT"
  # --cache=local: a single node opens no cluster (JGroups) ports, which would listen beyond loopback.
  KC_BOOTSTRAP_ADMIN_USERNAME=$ADMIN_USER KC_BOOTSTRAP_ADMIN_PASSWORD=$ADMIN_PASSWORD \
    "$KEYCLOAK_HOME/bin/kc.sh" start --optimized --import-realm \
    --http-enabled=true --http-host=127.0.0.1 --http-port="$KEYCLOAK_PORT" \
    --http-management-port="$KEYCLOAK_MANAGEMENT_PORT" --hostname-strict=false \
    --cache=local --vault-dir="$vault_dir" \
    >"$keycloak_log" 2>&1 &
  echo $! >"$keycloak_pid"
  wait_for_http "http://127.0.0.1:$KEYCLOAK_MANAGEMENT_PORT/health/ready" 180 "$keycloak_pid" \
    || die "Keycloak did not become ready within 180 s; see $keycloak_log"
  wait_for_http "http://127.0.0.1:$KEYCLOAK_PORT/realms/demo" 30 "$keycloak_pid" \
    || die "the demo realm was not imported; see $keycloak_log"
  enable_enrolment_action
}

# A realm import that lists required actions replaces Keycloak's default list, so the enrolment
# action is registered through the admin REST API instead, as an admin would in the console.
enable_enrolment_action() {
  KEYCLOAK_URL="http://127.0.0.1:$KEYCLOAK_PORT" ADMIN_USER=$ADMIN_USER ADMIN_PASSWORD=$ADMIN_PASSWORD \
    python3 - <<'PY' || die "could not enable the required action mobile_number_config in the demo realm"
import json, os, urllib.parse, urllib.request

base = os.environ["KEYCLOAK_URL"]
form = urllib.parse.urlencode({"grant_type": "password", "client_id": "admin-cli",
                               "username": os.environ["ADMIN_USER"], "password": os.environ["ADMIN_PASSWORD"]})
with urllib.request.urlopen(f"{base}/realms/master/protocol/openid-connect/token", form.encode()) as response:
    token = json.load(response)["access_token"]

def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{base}/admin/realms/demo{path}", data=data, method=method,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        text = response.read()
        return json.loads(text) if text else None

registered = {action["alias"] for action in call("GET", "/authentication/required-actions")}
if "mobile_number_config" not in registered:
    call("POST", "/authentication/register-required-action",
         {"providerId": "mobile_number_config", "name": "Phone number for SMS codes"})
action = call("GET", "/authentication/required-actions/mobile_number_config")
if not action["enabled"]:
    action["enabled"] = True
    call("PUT", "/authentication/required-actions/mobile_number_config", action)
PY
}

case "${1:-}" in
  start)
    mkdir -p "$RUN_DIR"
    stop_stack
    start_standin
    start_keycloak
    log "stack is up"
    ;;
  stop)
    stop_stack
    log "stack stopped"
    ;;
  *)
    die "usage: scripts/stack.sh start|stop"
    ;;
esac

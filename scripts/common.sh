# Shared settings and helpers for the demo and test scripts. Sourcing it only defines variables and
# functions.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Runtime files: Keycloak, logs, certificates. Override to run two stacks side by side.
RUN_DIR=${RUN_DIR:-$ROOT/.run}

# The Keycloak release that the tests and the demo run. java/pom.xml builds against the same version.
KEYCLOAK_VERSION=26.7.3
KEYCLOAK_HOME="$RUN_DIR/keycloak-$KEYCLOAK_VERSION"

KEYCLOAK_PORT=${KEYCLOAK_PORT:-8080}
KEYCLOAK_MANAGEMENT_PORT=${KEYCLOAK_MANAGEMENT_PORT:-9000}
STANDIN_HTTPS_PORT=${STANDIN_HTTPS_PORT:-8443}
# Plain HTTP listener of the stand-in, for reading the received SMS without a certificate warning.
STANDIN_HTTP_PORT=${STANDIN_HTTP_PORT:-8025}
ADMIN_USER=admin
ADMIN_PASSWORD=admin
STANDIN_TOKEN=demo-token
# A second stand-in token that may use POST /messages/sms only, so every other route returns 403.
STANDIN_SMS_ONLY_TOKEN=sms-only-token

NATIVE_LIB="$ROOT/target/release/libsms2fa.so"
PROVIDER_JAR="$ROOT/java/target/keycloak-sms2fa-0.1.0.jar"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Waits until URL returns HTTP 200. Fails after SECONDS, or as soon as the process in PID_FILE exits.
wait_for_http() {
  local url=$1 seconds=$2 pid_file=${3:-}
  local deadline=$((SECONDS + seconds))
  while ((SECONDS < deadline)); do
    if curl -ksf -o /dev/null "$url"; then return 0; fi
    if [[ -n "$pid_file" && -f "$pid_file" ]] && ! kill -0 "$(cat "$pid_file")" 2>/dev/null; then
      return 1
    fi
    sleep 1
  done
  return 1
}

# Stops the process whose id is in PID_FILE, if it still runs.
stop_pid_file() {
  local pid_file=$1
  [[ -f "$pid_file" ]] || return 0
  local pid
  pid=$(cat "$pid_file")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 1
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pid_file"
}

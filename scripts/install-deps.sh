#!/usr/bin/env bash
# Checks the toolchains the build needs and installs what the tests need on a fresh Debian machine:
# Chromium for the browser test (Debian package) and the e2e test's npm packages.
# Usage: scripts/install-deps.sh [--browser]
set -euo pipefail
source "$(dirname "$0")/common.sh"

missing=()
for tool in cargo java mvn python3 openssl curl; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
((${#missing[@]} == 0)) || die "missing tools: ${missing[*]}; install them (Rust by rustup, OpenJDK 17, Maven, Python 3, OpenSSL, curl) and run again"

java_major=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
((java_major >= 17)) || die "java is version $java_major; Keycloak $KEYCLOAK_VERSION and the provider need Java 17 or later"

if [[ "${1:-}" == "--browser" ]]; then
  command -v node >/dev/null && command -v npm >/dev/null || die "node and npm are missing; install Node.js 20 or later"
  if [[ ! -x /usr/bin/chromium ]]; then
    log "installing Debian's chromium for the browser test"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
  fi
  if [[ ! -d "$ROOT/e2e/node_modules/playwright-core" ]]; then
    log "installing the e2e test's npm packages"
    (cd "$ROOT/e2e" && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi

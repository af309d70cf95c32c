#!/usr/bin/env bash
# Fetches the pinned Keycloak distribution from Maven Central (through Maven, so a site's mirror
# settings apply and checksums are enforced) and unpacks it into .run/.
set -euo pipefail
source "$(dirname "$0")/common.sh"

if [[ -x "$KEYCLOAK_HOME/bin/kc.sh" ]]; then
  exit 0
fi

download_dir="$RUN_DIR/downloads"
mkdir -p "$download_dir"
archive="$download_dir/keycloak-quarkus-dist-$KEYCLOAK_VERSION.tar.gz"
if [[ ! -f "$archive" ]]; then
  log "fetching org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION from Maven Central"
  mvn -B -q -C org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:tar.gz" \
    -DoutputDirectory="$download_dir" -Dmdep.overWriteReleases=true \
    || die "could not fetch Keycloak $KEYCLOAK_VERSION from Maven Central"
fi

log "unpacking Keycloak $KEYCLOAK_VERSION into $RUN_DIR"
tar -xzf "$archive" -C "$RUN_DIR"
[[ -x "$KEYCLOAK_HOME/bin/kc.sh" ]] || die "the archive $archive did not contain keycloak-$KEYCLOAK_VERSION/bin/kc.sh"

#!/usr/bin/env bash
# Builds the Temporal server and its SQL schema tool from the pinned Go module (go.temporal.io/server) into
# .tools/temporal-server-<version>/, once: a second run finds the binaries and returns at once. The server needs a
# newer Go than Debian's, so the go command fetches the pinned toolchain from the module proxy (GOTOOLCHAIN).
# Measured: about 16 minutes on a busy 2-core machine, 160 MB for the server binary.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# One source of truth: the version docker-compose.yml runs (`temporalio/server:${TEMPORAL_VERSION:-X}`).
VERSION="${TEMPORAL_SERVER_VERSION:-$("$ROOT/scripts/cluster/temporal-version.sh")}"
DEST="$ROOT/.tools/temporal-server-$VERSION"
export GOTOOLCHAIN="${GOTOOLCHAIN_FOR_TEMPORAL:-go1.27.3}"
export GOFLAGS="${GOFLAGS:--mod=mod}"
if [[ -x "$DEST/temporal-server" && -x "$DEST/temporal-sql-tool" && -d "$DEST/schema/postgresql" ]]; then
  echo "Temporal server $VERSION already built in $DEST"
  exit 0
fi
command -v go >/dev/null || { echo "go is not installed (apt-get install golang-go)" >&2; exit 1; }
mkdir -p "$DEST.partial"
echo "Building Temporal server $VERSION (about 16 minutes on 2 cores)..."
GOBIN="$DEST.partial" go install "go.temporal.io/server/cmd/server@v$VERSION"
GOBIN="$DEST.partial" go install "go.temporal.io/server/cmd/tools/sql@v$VERSION"
mv "$DEST.partial/server" "$DEST.partial/temporal-server"
mv "$DEST.partial/sql" "$DEST.partial/temporal-sql-tool"
# The schema tool reads its versioned SQL from the module source, which the build left in the module cache.
rm -rf "$DEST.partial/schema"
cp -r "$(go env GOMODCACHE)/go.temporal.io/server@v$VERSION/schema" "$DEST.partial/schema"
chmod -R u+w "$DEST.partial/schema"
rm -rf "$DEST"
mv "$DEST.partial" "$DEST"
echo "Temporal server $VERSION built in $DEST"

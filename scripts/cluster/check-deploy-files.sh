#!/usr/bin/env bash
# The deployment files checked by their own tools (install them once: scripts/cluster/install-tools.sh):
#   Dockerfile                     hadolint (ignore rules are inline in the Dockerfile, each with its reason)
#   docker-compose.yml             Compose's own loader: schema, interpolation, paths, consistency (`docker compose config`)
#   deploy/prometheus/*.yml        promtool check config, and check rules for any rule files
# Part of `npm run test:cluster`. Exits non-zero on the first file a tool rejects.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="$ROOT/.tools"
cd "$ROOT"
need() { [[ -x "$1" ]] || { echo "missing $1: run scripts/cluster/install-tools.sh" >&2; exit 1; }; }
need "$TOOLS/venv/bin/hadolint"
need "$TOOLS/prometheus/promtool"
need "$TOOLS/compose-config/compose-config"

echo "== hadolint Dockerfile"
"$TOOLS/venv/bin/hadolint" --no-color Dockerfile
echo "ok"

echo "== docker compose config (with and without the monitoring profile)"
# The developer's .env is not read (COMPOSE_DISABLE_ENV_FILE): the file must be valid with its own defaults. The
# secret metrics_token is taken from the environment, as `docker compose` would. The resolved model is not printed
# (it would hold the variables' values).
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
for profile in "" monitoring; do
  COMPOSE_DISABLE_ENV_FILE=true METRICS_TOKEN=check-only \
    "$TOOLS/compose-config/compose-config" ${profile:+-profile "$profile"} docker-compose.yml >"$out" 2>"$out.err" \
    || { cat "$out.err" >&2; exit 1; }
  # Compose warns (obsolete keys, unset variables without a default) without failing: a warning fails here.
  if [[ -s "$out.err" ]]; then cat "$out.err" >&2; rm -f "$out.err"; exit 1; fi
  rm -f "$out.err"
  echo "ok (profile: ${profile:-default})"
done

echo "== promtool"
# --syntax-only: the scrape config names the API's token file as mounted in the container (/run/secrets/...),
# which does not exist here; the cluster test runs Prometheus on this file with that path rewritten.
"$TOOLS/prometheus/promtool" check config --syntax-only deploy/prometheus/prometheus.yml
shopt -s nullglob
rules=(deploy/prometheus/*rules*.yml deploy/prometheus/*rules*.yaml)
if ((${#rules[@]})); then "$TOOLS/prometheus/promtool" check rules "${rules[@]}"; else echo "no rule files"; fi
echo "deployment files: all checks passed"

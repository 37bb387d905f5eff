#!/usr/bin/env bash
# Prints the Temporal server version docker-compose.yml runs by default (`temporalio/server:${TEMPORAL_VERSION:-X}`):
# the one place it is written; the cluster scripts build and test that version.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
version="$(sed -n 's|^ *image: temporalio/server:\${TEMPORAL_VERSION:-\([0-9.]*\)}$|\1|p' "$ROOT/docker-compose.yml")"
[[ -n "$version" ]] || { echo "no temporalio/server:\${TEMPORAL_VERSION:-...} image in docker-compose.yml" >&2; exit 1; }
echo "$version"

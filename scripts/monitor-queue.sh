#!/usr/bin/env bash
# Live queue statistics and health, refreshed in place until Ctrl-C.
# Usage: ./scripts/monitor-queue.sh [base-url] [refresh-interval-seconds]    (default: $WCAG_API_URL or :3001, 5 s)
# The logic is `wcag monitor` (scripts/cli).
set -euo pipefail
if [[ $# -gt 2 ]]; then
  echo "usage: $0 [base-url] [refresh-interval]" >&2
  exit 2
fi
base=${1:-${WCAG_API_URL:-http://127.0.0.1:3001}} interval=${2:-5}
exec node "$(dirname "$0")/wcag.js" monitor --api "$base" --interval "$interval"

#!/usr/bin/env bash
# One-shot health report with recovery recommendations, for people, cron and load balancers.
# Usage: ./scripts/health-check.sh [base-url]
# Exit 0 healthy, 1 warning, 2 critical (also when the API cannot be reached or refuses the key).
# The logic is `wcag health` (scripts/cli).
set -euo pipefail
if [[ $# -gt 1 ]]; then
  echo "usage: $0 [base-url]" >&2
  exit 2
fi
exec node "$(dirname "$0")/wcag.js" health --api "${1:-${WCAG_API_URL:-http://127.0.0.1:3001}}"

#!/usr/bin/env bash
# One-shot health report with recovery recommendations, for people, cron and load balancers.
# Usage: ./scripts/health-check.sh [base-url]
# Exit status: the monitoring-plugin (Nagios) convention, 0 OK (healthy), 1 WARNING, 2 CRITICAL, 3 UNKNOWN (the API
# cannot be reached, refuses the key or answers something unparseable; or a bad command line).
# Not the Docker HEALTHCHECK: that is scripts/healthcheck.ts (0/1). The logic is `wcag health` (scripts/cli).
set -euo pipefail
if [[ $# -gt 1 ]]; then
  echo "usage: $0 [base-url]" >&2
  exit 3
fi
exec node "$(dirname "$0")/wcag.js" health --api "${1:-${WCAG_API_URL:-http://127.0.0.1:3001}}"

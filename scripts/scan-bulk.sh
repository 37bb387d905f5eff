#!/usr/bin/env bash
# Bulk-scan prospects (one id per line: our UUID or the client's external id, e.g. the seed's `prospect-123`) or URLs
# (--urls) from a file; live progress, then a summary. --client names the client (the admin key needs it for
# external ids; a client key's own client is implied).
# Usage: ./scripts/scan-bulk.sh [--urls] [--client <id>] <file> [high|low] [base-url]
# Exit 0 only if every item completed; 1 if some failed or the bulk could not run (API); 2 on a usage error.
# Key: WCAG_API_KEY, else ADMIN_API_KEY (environment or .env). The logic is `wcag bulk` (scripts/cli).
set -euo pipefail
flags=()
while [[ $# -gt 0 && $1 == --* ]]; do
  case $1 in
    --urls) flags+=(--urls); shift ;;
    --client) flags+=(--client "${2:?--client needs a value}"); shift 2 ;;
    *) echo "scan-bulk.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
if [[ $# -lt 1 || $# -gt 3 ]]; then
  echo "usage: $0 [--urls] [--client <id>] <file> [high|low] [base-url]" >&2
  exit 2
fi
file=$1 queue=${2:-low} base=${3:-${WCAG_API_URL:-http://127.0.0.1:3001}}
exec node "$(dirname "$0")/wcag.js" bulk "$file" --queue "$queue" --api "$base" "${flags[@]}"

#!/bin/sh
# One-shot job (temporalio/admin-tools) after the server is up: creates the namespace and registers the search
# attributes our workflows set (core/contracts.ts SearchAttributes). Idempotent: existing ones are skipped.
set -eu
NS=${TEMPORAL_NAMESPACE:-default}
RETENTION=${TEMPORAL_NAMESPACE_RETENTION:-720h}
until temporal operator cluster health >/dev/null 2>&1; do
  echo 'waiting for the Temporal server...'
  sleep 2
done
temporal operator namespace describe --namespace "$NS" >/dev/null 2>&1 \
  || temporal operator namespace create --namespace "$NS" --retention "$RETENTION"
# A namespace just created is unknown to the frontend's namespace cache for up to ~10 s (found by the cluster test:
# the list failed with "Namespace default is not found"); wait for it rather than lean on the job's restart policy.
tries=0
until existing=$(temporal operator search-attribute list --namespace "$NS" 2>&1); do
  tries=$((tries + 1))
  [ "$tries" -lt 30 ] || { echo "$existing" >&2; exit 1; }
  echo "waiting for namespace $NS to be usable..."
  sleep 1
done
for name in ClientId TargetHost Queue ScanStatus ScanId FailureCategory; do
  if echo "$existing" | grep -qw "$name"; then
    echo "search attribute $name exists"
  else
    temporal operator search-attribute create --namespace "$NS" --name "$name" --type Keyword
  fi
done
echo "namespace $NS is ready"

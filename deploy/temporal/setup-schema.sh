#!/bin/sh
# One-shot job (temporalio/admin-tools): creates Temporal's two databases in our Postgres and brings their schemas
# up to date. Safe to re-run: create/setup-schema fail harmlessly when done before, update-schema applies only
# newer versions (and is what upgrades the schema after a server upgrade).
set -eu
: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
PORT=${DB_PORT:-5432}
# Where temporalio/admin-tools keeps the versioned SQL; the cluster test points it at the schema beside its build.
SCHEMA_DIR=${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema}
tool() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p "$PORT" "$@"; }
for db in temporal temporal_visibility; do
  tool --db "$db" create 2>/dev/null || echo "database $db exists"
  tool --db "$db" setup-schema -v 0.0 2>/dev/null || echo "schema of $db already set up"
done
tool --db temporal update-schema -d "$SCHEMA_DIR"/postgresql/v12/temporal/versioned
tool --db temporal_visibility update-schema -d "$SCHEMA_DIR"/postgresql/v12/visibility/versioned
echo 'Temporal schema is up to date'

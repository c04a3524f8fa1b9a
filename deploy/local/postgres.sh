#!/usr/bin/env bash
# PostgreSQL (Debian package) in a private cluster under $VEGVISION_STACK_DIR/pg,
# listening on 127.0.0.1:$VEGVISION_PG_PORT only.
#
#   deploy/local/postgres.sh install   apt-get install postgresql (skipped when present)
#   deploy/local/postgres.sh start     initdb on first use, start, create role+db
#   deploy/local/postgres.sh stop      fast shutdown (keeps the data)
#   deploy/local/postgres.sh restart   stop + start
#   deploy/local/postgres.sh status    exit 0 when running
#   deploy/local/postgres.sh clean     stop and delete the cluster's data
set -euo pipefail
_vv_tag=postgres
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_DIR="$VEGVISION_STACK_DIR/pg"
PG_DATA="$PG_DIR/data"
PG_RUN="$PG_DIR/run"
PG_LOG="$PG_DIR/postgres.log"
# Postgres refuses to run as root: when we are root, run it as this OS user.
PG_OS_USER="${VEGVISION_PG_OS_USER:-postgres}"

pg_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
  if [[ -n $d && -x $d/initdb ]]; then
    echo "$d"
  elif command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
  else
    return 1
  fi
}

# as_pg CMD...: run CMD as the postgres OS user when we are root
as_pg() {
  if [[ $EUID -eq 0 ]]; then
    runuser -u "$PG_OS_USER" -- "$@"
  else
    "$@"
  fi
}

cmd_install() {
  local t0 bindir
  t0=$(date +%s)
  if bindir=$(pg_bindir); then
    log "PostgreSQL server already installed: $("$bindir/postgres" --version) ($bindir)"
  else
    [[ $EUID -eq 0 ]] || die "PostgreSQL server binaries not found and not root: run 'apt-get install -y postgresql' as root"
    log "installing PostgreSQL from Debian: apt-get install -y postgresql"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y --no-install-recommends postgresql; then
      log "apt-get install failed, running apt-get update and retrying"
      apt-get update
      apt-get install -y --no-install-recommends postgresql
    fi
    bindir=$(pg_bindir) || die "postgresql installed but initdb not found"
    log "installed $("$bindir/postgres" --version) in $(elapsed "$t0")s"
  fi
  command -v psql >/dev/null || die "psql not found (apt-get install postgresql-client)"
  if [[ $EUID -eq 0 ]] && ! id -u "$PG_OS_USER" >/dev/null 2>&1; then
    log "creating OS user $PG_OS_USER"
    useradd --system --home-dir "$PG_DIR" --shell /usr/sbin/nologin "$PG_OS_USER"
  fi
}

is_running() {
  local bindir
  bindir=$(pg_bindir) || return 1
  [[ -f $PG_DATA/PG_VERSION ]] || return 1
  as_pg "$bindir/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

init_cluster() {
  local bindir=$1
  log "initdb into $PG_DATA"
  mkdir -p "$PG_DIR"
  if [[ $EUID -eq 0 ]]; then
    # every parent must be traversable by the postgres user
    local d=$PG_DIR
    while [[ $d != / ]]; do
      d=$(dirname "$d")
      runuser -u "$PG_OS_USER" -- test -x "$d" ||
        die "$d is not accessible to OS user $PG_OS_USER; choose another VEGVISION_STACK_DIR"
    done
    chown "$PG_OS_USER:" "$PG_DIR"
  fi
  rm -rf "$PG_DATA"
  as_pg mkdir -p "$PG_DATA" "$PG_RUN"
  as_pg "$bindir/initdb" -D "$PG_DATA" -U postgres -E UTF8 --no-locale \
    --auth-local=trust --auth-host=scram-sha-256 >"$PG_DIR/initdb.log" 2>&1 ||
    { cat "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
  # Only the loopback TCP socket and a private unix socket dir.
  as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null <<EOF

# --- vegvision local stack ---
listen_addresses = '$LOOPBACK'
unix_socket_directories = '$PG_RUN'
max_connections = 200
logging_collector = off
EOF
  as_pg tee "$PG_DATA/pg_hba.conf" >/dev/null <<EOF
# TYPE  DATABASE USER ADDRESS       METHOD
local   all      all                trust
host    all      all  127.0.0.1/32  scram-sha-256
EOF
}

psql_admin() {
  psql -X -q -v ON_ERROR_STOP=1 -h "$PG_RUN" -p "$VEGVISION_PG_PORT" -U postgres "$@"
}

bootstrap_db() {
  log "ensuring role '$VEGVISION_PG_USER' and database '$VEGVISION_PG_DB'"
  psql_admin -d postgres -v u="$VEGVISION_PG_USER" -v p="$VEGVISION_PG_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'u', :'p')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'u') \gexec
SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', :'u', :'p') \gexec
SQL
  psql_admin -d postgres -v u="$VEGVISION_PG_USER" -v d="$VEGVISION_PG_DB" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I', :'d', :'u')
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'d') \gexec
SQL
  # PG15: public schema is no longer writable by everyone; give it to the app role
  psql_admin -d "$VEGVISION_PG_DB" -v u="$VEGVISION_PG_USER" <<'SQL'
SELECT format('ALTER SCHEMA public OWNER TO %I', :'u') \gexec
SQL
}

cmd_start() {
  local bindir t0
  t0=$(date +%s)
  bindir=$(pg_bindir) || die "PostgreSQL not installed: run '$0 install' first"
  if is_running; then
    log "already running on $LOOPBACK:$VEGVISION_PG_PORT (data $PG_DATA)"
    return 0
  fi
  if port_open "$VEGVISION_PG_PORT"; then
    die "port $VEGVISION_PG_PORT is already in use by another process"
  fi
  [[ -f $PG_DATA/PG_VERSION ]] || init_cluster "$bindir"
  [[ $EUID -ne 0 ]] || chown -R "$PG_OS_USER:" "$PG_DIR"
  as_pg mkdir -p "$PG_RUN"
  log "starting PostgreSQL on $LOOPBACK:$VEGVISION_PG_PORT (log $PG_LOG)"
  as_pg "$bindir/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$VEGVISION_START_TIMEOUT" \
    -o "-p $VEGVISION_PG_PORT -c listen_addresses=$LOOPBACK -k $PG_RUN" start >/dev/null ||
    { tail -n 30 "$PG_LOG" >&2 || true; die "PostgreSQL failed to start"; }
  bootstrap_db
  PGPASSWORD="$VEGVISION_PG_PASSWORD" psql -X -q -h "$LOOPBACK" -p "$VEGVISION_PG_PORT" \
    -U "$VEGVISION_PG_USER" -d "$VEGVISION_PG_DB" -tAc 'SELECT 1' >/dev/null ||
    die "cannot log in as $VEGVISION_PG_USER over TCP"
  log "ready in $(elapsed "$t0")s: postgres://$VEGVISION_PG_USER:***@$LOOPBACK:$VEGVISION_PG_PORT/$VEGVISION_PG_DB"
}

cmd_stop() {
  local bindir
  if ! is_running; then
    log "not running"
    return 0
  fi
  bindir=$(pg_bindir)
  log "stopping PostgreSQL (fast shutdown)"
  if ! as_pg "$bindir/pg_ctl" -D "$PG_DATA" -m fast -w -t "$VEGVISION_STOP_TIMEOUT" stop >/dev/null; then
    log "fast shutdown timed out: immediate shutdown"
    as_pg "$bindir/pg_ctl" -D "$PG_DATA" -m immediate -w -t "$VEGVISION_STOP_TIMEOUT" stop >/dev/null || true
  fi
  log "stopped"
}

cmd_status() {
  if is_running; then
    log "running on $LOOPBACK:$VEGVISION_PG_PORT (data $PG_DATA)"
  else
    log "stopped"
    return 1
  fi
}

cmd_clean() {
  cmd_stop
  log "removing $PG_DIR"
  rm -rf "$PG_DIR"
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart) cmd_stop; cmd_start ;;
  status) cmd_status ;;
  clean) cmd_clean ;;
  *) echo "usage: $0 {install|start|stop|restart|status|clean}" >&2; exit 2 ;;
esac

# shellcheck shell=bash
# Common settings and helpers for the deploy/local/*.sh scripts.
# Sourced, never executed directly.

# ---------------------------------------------------------------------------
# Settings (all overridable through the environment)
# ---------------------------------------------------------------------------
# All runtime state (data dirs, logs, pid files, generated configs) lives here.
VEGVISION_STACK_DIR="${VEGVISION_STACK_DIR:-/tmp/vegvision-stack}"
# Downloaded/built artefacts that survive a wipe of the stack dir.
VEGVISION_CACHE_DIR="${VEGVISION_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vegvision}"

VEGVISION_PG_PORT="${VEGVISION_PG_PORT:-55432}"
VEGVISION_PG_DB="${VEGVISION_PG_DB:-vegvision}"
VEGVISION_PG_USER="${VEGVISION_PG_USER:-vegvision}"
VEGVISION_PG_PASSWORD="${VEGVISION_PG_PASSWORD:-vegvision}"

VEGVISION_KAFKA_VERSION="${VEGVISION_KAFKA_VERSION:-4.1.1}"
VEGVISION_KAFKA_PORT="${VEGVISION_KAFKA_PORT:-59092}"
VEGVISION_KAFKA_CONTROLLER_PORT="${VEGVISION_KAFKA_CONTROLLER_PORT:-59093}"
VEGVISION_KAFKA_HEAP="${VEGVISION_KAFKA_HEAP:-512m}"

# SeaweedFS publishes no semver tags, the Go module proxy serves it under a
# pseudo-version only.
VEGVISION_SEAWEEDFS_VERSION="${VEGVISION_SEAWEEDFS_VERSION:-v0.0.0-20261109003541-7506e5f91cd6}"
VEGVISION_S3_PORT="${VEGVISION_S3_PORT:-58333}"
# Internal SeaweedFS ports (master/volume/filer + their gRPC ports).  Explicit
# because SeaweedFS' default "port+10000" gRPC rule overflows 65535 up here.
VEGVISION_SEAWEED_MASTER_PORT="${VEGVISION_SEAWEED_MASTER_PORT:-58340}"
VEGVISION_SEAWEED_MASTER_GRPC_PORT="${VEGVISION_SEAWEED_MASTER_GRPC_PORT:-58341}"
VEGVISION_SEAWEED_VOLUME_PORT="${VEGVISION_SEAWEED_VOLUME_PORT:-58342}"
VEGVISION_SEAWEED_VOLUME_GRPC_PORT="${VEGVISION_SEAWEED_VOLUME_GRPC_PORT:-58343}"
VEGVISION_SEAWEED_FILER_PORT="${VEGVISION_SEAWEED_FILER_PORT:-58344}"
VEGVISION_SEAWEED_FILER_GRPC_PORT="${VEGVISION_SEAWEED_FILER_GRPC_PORT:-58345}"
VEGVISION_SEAWEED_S3_GRPC_PORT="${VEGVISION_SEAWEED_S3_GRPC_PORT:-58346}"
VEGVISION_S3_BUCKET="${VEGVISION_S3_BUCKET:-vegvision}"
VEGVISION_S3_ACCESS_KEY_ID="${VEGVISION_S3_ACCESS_KEY_ID:-vegvision}"
VEGVISION_S3_SECRET_ACCESS_KEY="${VEGVISION_S3_SECRET_ACCESS_KEY:-vegvision-secret}"
VEGVISION_S3_REGION="${VEGVISION_S3_REGION:-us-east-1}"

# Seconds to wait for a server to become ready / to exit after SIGTERM.
VEGVISION_START_TIMEOUT="${VEGVISION_START_TIMEOUT:-90}"
VEGVISION_STOP_TIMEOUT="${VEGVISION_STOP_TIMEOUT:-30}"

LOOPBACK=127.0.0.1

# ---------------------------------------------------------------------------
# Logging
# ---------------------------------------------------------------------------
_vv_tag="${_vv_tag:-stack}"
log() { printf '[vegvision:%s] %s\n' "$_vv_tag" "$*" >&2; }
die() { printf '[vegvision:%s] ERROR: %s\n' "$_vv_tag" "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------
# Ports and processes
# ---------------------------------------------------------------------------
# port_open PORT: true when something accepts TCP connections on 127.0.0.1:PORT
port_open() {
  (exec 3<>"/dev/tcp/$LOOPBACK/$1") 2>/dev/null
}

# wait_port PORT SECONDS: wait until the port accepts connections
wait_port() {
  local port=$1 secs=$2 i
  for ((i = 0; i < secs * 4; i++)); do
    port_open "$port" && return 0
    sleep 0.25
  done
  return 1
}

# pid_alive PIDFILE MARKER: print the pid and succeed when the pid in PIDFILE
# is running and its command line contains MARKER (guards against pid reuse).
pid_alive() {
  local pidfile=$1 marker=$2 pid
  [[ -s $pidfile ]] || return 1
  pid=$(<"$pidfile")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  # zombies are not alive
  [[ $(awk '/^State:/ {print $2}' "/proc/$pid/status" 2>/dev/null) != Z ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$marker" || return 1
  echo "$pid"
}

# stop_pid PIDFILE MARKER NAME: SIGTERM, wait VEGVISION_STOP_TIMEOUT, SIGKILL.
stop_pid() {
  local pidfile=$1 marker=$2 name=$3 pid i
  if ! pid=$(pid_alive "$pidfile" "$marker"); then
    log "$name is not running"
    rm -f "$pidfile"
    return 0
  fi
  log "stopping $name (pid $pid, SIGTERM)"
  # the server was started with setsid: signal its whole process group
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < VEGVISION_STOP_TIMEOUT * 4; i++)); do
    pid_alive "$pidfile" "$marker" >/dev/null || break
    sleep 0.25
  done
  if pid_alive "$pidfile" "$marker" >/dev/null; then
    log "$name did not exit within ${VEGVISION_STOP_TIMEOUT}s: SIGKILL"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 40; i++)); do
      pid_alive "$pidfile" "$marker" >/dev/null || break
      sleep 0.25
    done
  fi
  rm -f "$pidfile"
  log "$name stopped"
}

# spawn PIDFILE LOGFILE CMD...: start CMD detached in its own session
# (process group), stdout/stderr appended to LOGFILE, pid written to PIDFILE.
spawn() {
  local pidfile=$1 logfile=$2
  shift 2
  printf '\n===== %s: %s\n' "$(date -Is)" "$*" >>"$logfile"
  rm -f "$pidfile"
  # The child writes its own pid then execs: correct even when setsid forks.
  # shellcheck disable=SC2016 # $$ and $@ are for the inner bash
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >>"$logfile" 2>&1 &
  local i
  for ((i = 0; i < 40; i++)); do
    [[ -s $pidfile ]] && return 0
    sleep 0.05
  done
  die "could not start: $*"
}

need_cmd() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' is required but not installed${2:+ ($2)}"
}

# elapsed START_EPOCH: seconds since START
elapsed() { echo $(($(date +%s) - $1)); }

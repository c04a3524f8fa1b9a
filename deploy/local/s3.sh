#!/usr/bin/env bash
# S3-compatible object store that verifies SigV4 signatures: SeaweedFS
# ("weed server" = master + volume + filer + S3 gateway in one process),
# built from source with the Go toolchain, on 127.0.0.1 only.
#
#   deploy/local/s3.sh install   build weed into $VEGVISION_CACHE_DIR/bin (skipped when cached)
#   deploy/local/s3.sh start     start, wait for the S3 port, create bucket $VEGVISION_S3_BUCKET
#   deploy/local/s3.sh stop      SIGTERM, wait, SIGKILL after $VEGVISION_STOP_TIMEOUT s
#   deploy/local/s3.sh restart   stop + start, keeping the data
#   deploy/local/s3.sh status    exit 0 when running and answering signed requests
#   deploy/local/s3.sh clean     stop and delete the data
set -euo pipefail
_vv_tag=s3
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

WEED_MODULE=github.com/seaweedfs/seaweedfs
WEED_BIN="$VEGVISION_CACHE_DIR/bin/weed"
WEED_STAMP="$VEGVISION_CACHE_DIR/bin/weed.version"
S3_DIR="$VEGVISION_STACK_DIR/s3"
S3_DATA="$S3_DIR/data"
S3_CONFIG="$S3_DIR/s3.json"
S3_LOG="$S3_DIR/weed.log"
S3_PID="$S3_DIR/weed.pid"
S3_ENDPOINT="http://$LOOPBACK:$VEGVISION_S3_PORT"
SIGV4="$HERE/s3-sigv4.mjs"

cmd_install() {
  local t0 src
  t0=$(date +%s)
  if [[ -x $WEED_BIN && -f $WEED_STAMP && $(<"$WEED_STAMP") == "$VEGVISION_SEAWEEDFS_VERSION" ]]; then
    log "SeaweedFS $VEGVISION_SEAWEEDFS_VERSION already built: $WEED_BIN"
    return 0
  fi
  need_cmd go "Go 1.26+ toolchain"
  mkdir -p "$VEGVISION_CACHE_DIR/bin"
  # one build at a time (CI and a developer's shell may both run install)
  exec 8>"$VEGVISION_CACHE_DIR/bin/.weed.lock"
  flock 8
  if [[ -x $WEED_BIN && -f $WEED_STAMP && $(<"$WEED_STAMP") == "$VEGVISION_SEAWEEDFS_VERSION" ]]; then
    log "SeaweedFS $VEGVISION_SEAWEEDFS_VERSION built meanwhile by another process: $WEED_BIN"
    return 0
  fi
  # 'go install module/weed@version' refuses modules whose go.mod has replace
  # directives (seaweedfs has one), so fetch the module source through the Go
  # module proxy and build it as the main module, with its own go.mod/go.sum.
  log "downloading $WEED_MODULE@$VEGVISION_SEAWEEDFS_VERSION from the Go module proxy"
  src=$(cd "$VEGVISION_CACHE_DIR" && GO111MODULE=on GOFLAGS=-mod=mod \
    go mod download -json "$WEED_MODULE@$VEGVISION_SEAWEEDFS_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' || true)
  [[ -n $src && -d $src/weed ]] || die "could not download $WEED_MODULE@$VEGVISION_SEAWEEDFS_VERSION"
  local buildlog="$VEGVISION_CACHE_DIR/bin/weed-build.log"
  log "building weed from $src (first build: ~250 modules, 7-25 min on 2 cores; log $buildlog)"
  if ! (cd "$src" && GOFLAGS="-buildvcs=false -mod=readonly" CGO_ENABLED=0 \
    go build -ldflags "-s -w" -o "$WEED_BIN.tmp.$$" ./weed) >"$buildlog" 2>&1; then
    rm -f "$WEED_BIN.tmp.$$"
    tail -n 40 "$buildlog" >&2
    die "go build of weed failed (full log: $buildlog)"
  fi
  mv -f "$WEED_BIN.tmp.$$" "$WEED_BIN"
  echo "$VEGVISION_SEAWEEDFS_VERSION" >"$WEED_STAMP"
  log "built $WEED_BIN ($(du -h "$WEED_BIN" | cut -f1)) in $(elapsed "$t0")s"
}

require_installed() {
  [[ -x $WEED_BIN ]] || die "weed not built: run '$0 install' first"
  need_cmd node "Node.js 18+ (used to sign S3 requests)"
}

write_config() {
  mkdir -p "$S3_DIR" "$S3_DATA"
  # No "anonymous" identity: every request must carry a valid SigV4 signature
  # from this identity.
  local ak sk
  ak=$(printf '%s' "$VEGVISION_S3_ACCESS_KEY_ID" | sed 's/[\\"]/\\&/g')
  sk=$(printf '%s' "$VEGVISION_S3_SECRET_ACCESS_KEY" | sed 's/[\\"]/\\&/g')
  (umask 077 && cat >"$S3_CONFIG" <<EOF
{
  "identities": [
    {
      "name": "vegvision",
      "credentials": [{ "accessKey": "$ak", "secretKey": "$sk" }],
      "actions": ["Admin", "Read", "List", "Tagging", "Write"]
    }
  ]
}
EOF
  )
}

is_running() { pid_alive "$S3_PID" "$S3_CONFIG" >/dev/null; }

signed() { node "$SIGV4" request "$@"; }

cmd_start() {
  local t0 i out p
  t0=$(date +%s)
  require_installed
  if is_running; then
    log "already running (pid $(<"$S3_PID")) on $S3_ENDPOINT"
    return 0
  fi
  for p in "$VEGVISION_S3_PORT" "$VEGVISION_SEAWEED_MASTER_PORT" "$VEGVISION_SEAWEED_MASTER_GRPC_PORT" \
    "$VEGVISION_SEAWEED_VOLUME_PORT" "$VEGVISION_SEAWEED_VOLUME_GRPC_PORT" "$VEGVISION_SEAWEED_FILER_PORT" \
    "$VEGVISION_SEAWEED_FILER_GRPC_PORT" "$VEGVISION_SEAWEED_S3_GRPC_PORT"; do
    port_open "$p" && die "port $p is already in use by another process"
  done
  write_config
  log "starting SeaweedFS S3 on $S3_ENDPOINT (master :$VEGVISION_SEAWEED_MASTER_PORT, volume :$VEGVISION_SEAWEED_VOLUME_PORT, filer :$VEGVISION_SEAWEED_FILER_PORT; log $S3_LOG)"
  spawn "$S3_PID" "$S3_LOG" "$WEED_BIN" -logtostderr=true -v=0 server \
    -ip="$LOOPBACK" -ip.bind="$LOOPBACK" -dir="$S3_DATA" \
    -master.port="$VEGVISION_SEAWEED_MASTER_PORT" -master.port.grpc="$VEGVISION_SEAWEED_MASTER_GRPC_PORT" \
    -master.telemetry=false -master.volumeSizeLimitMB=1024 -volume.max=0 \
    -master.electionTimeout=2s \
    -volume.port="$VEGVISION_SEAWEED_VOLUME_PORT" -volume.port.grpc="$VEGVISION_SEAWEED_VOLUME_GRPC_PORT" \
    -volume.preStopSeconds=0 \
    -filer -filer.port="$VEGVISION_SEAWEED_FILER_PORT" -filer.port.grpc="$VEGVISION_SEAWEED_FILER_GRPC_PORT" \
    -filer.localSocket="$S3_DIR/filer.sock" \
    -s3 -s3.port="$VEGVISION_S3_PORT" -s3.port.grpc="$VEGVISION_SEAWEED_S3_GRPC_PORT" \
    -s3.port.iceberg=0 -s3.port.lance=0 -s3.iam=false \
    -s3.localSocket="$S3_DIR/s3.sock" -s3.config="$S3_CONFIG"
  if ! wait_port "$VEGVISION_S3_PORT" "$VEGVISION_START_TIMEOUT" || ! is_running; then
    tail -n 40 "$S3_LOG" >&2 || true
    cmd_stop >/dev/null 2>&1 || true
    die "SeaweedFS did not open $S3_ENDPOINT within ${VEGVISION_START_TIMEOUT}s"
  fi
  log "S3 port open, creating bucket '$VEGVISION_S3_BUCKET' (signed PUT)"
  for ((i = 0; ; i++)); do
    # 200 = created; 409 BucketAlreadyOwnedByYou / BucketAlreadyExists = fine
    if out=$(signed PUT "$S3_ENDPOINT/$VEGVISION_S3_BUCKET" 2>&1); then break; fi
    if grep -q 'HTTP 409' <<<"$out"; then break; fi
    if ! is_running || ((i >= VEGVISION_START_TIMEOUT)); then
      echo "$out" >&2
      tail -n 40 "$S3_LOG" >&2 || true
      die "could not create bucket $VEGVISION_S3_BUCKET"
    fi
    sleep 1
  done
  # The bucket must be listable with the credentials...
  signed GET "$S3_ENDPOINT/$VEGVISION_S3_BUCKET?list-type=2&max-keys=1" >/dev/null 2>&1 ||
    die "signed ListObjectsV2 on $VEGVISION_S3_BUCKET failed"
  # ...and refused without them.
  p=$(curl -s -o /dev/null -w '%{http_code}' "$S3_ENDPOINT/$VEGVISION_S3_BUCKET?list-type=2" || true)
  [[ $p == 403 ]] || die "anonymous ListObjectsV2 answered $p, expected 403 (signatures not enforced?)"
  log "ready in $(elapsed "$t0")s (pid $(<"$S3_PID")): $S3_ENDPOINT bucket '$VEGVISION_S3_BUCKET' (anonymous access denied)"
}

cmd_stop() {
  stop_pid "$S3_PID" "$S3_CONFIG" "SeaweedFS"
  # weed server also binds gRPC unix sockets at fixed /tmp paths; drop stale ones
  local svc port
  for svc in master:$VEGVISION_SEAWEED_MASTER_GRPC_PORT volume:$VEGVISION_SEAWEED_VOLUME_GRPC_PORT \
    filer:$VEGVISION_SEAWEED_FILER_GRPC_PORT s3:$VEGVISION_SEAWEED_S3_GRPC_PORT; do
    port=${svc#*:}
    port_open "$port" || rm -f "/tmp/seaweedfs-${svc%%:*}-grpc-$port.sock"
  done
}

cmd_status() {
  if is_running; then
    if signed GET "$S3_ENDPOINT/$VEGVISION_S3_BUCKET?list-type=2&max-keys=1" >/dev/null 2>&1; then
      log "running (pid $(<"$S3_PID")) on $S3_ENDPOINT, bucket '$VEGVISION_S3_BUCKET' reachable"
    else
      log "running (pid $(<"$S3_PID")) on $S3_ENDPOINT, bucket '$VEGVISION_S3_BUCKET' NOT reachable"
      return 1
    fi
  else
    log "stopped"
    return 1
  fi
}

cmd_clean() {
  cmd_stop
  log "removing $S3_DIR"
  rm -rf "$S3_DIR"
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

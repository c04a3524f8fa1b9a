#!/usr/bin/env bash
# The servers vegvision's distributed mode needs, on loopback:
# PostgreSQL, Kafka (KRaft) and an S3 server (SeaweedFS) that checks SigV4.
#
#   deploy/local/stack.sh install   install/build all three (quick when cached)
#   deploy/local/stack.sh up        install if needed, then start all three (waits until ready)
#   deploy/local/stack.sh down      stop all three (no process left behind)
#   deploy/local/stack.sh status    exit 0 when all three are running and ready
#   deploy/local/stack.sh env       print the VEGVISION_* variables the app uses to reach them
#   deploy/local/stack.sh clean     down, then delete $VEGVISION_STACK_DIR (caches are kept)
#
# Single servers: deploy/local/{postgres,kafka,s3}.sh {install|start|stop|restart|status|clean}
set -euo pipefail
_vv_tag=stack
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

SERVICES=(postgres kafka s3)

run_all() {
  local action=$1 rc=0 s
  shift
  for s in "$@"; do
    "$HERE/$s.sh" "$action" || rc=1
  done
  return $rc
}

reverse() {
  local i out=()
  for ((i = $# ; i > 0; i--)); do out+=("${!i}"); done
  printf '%s\n' "${out[@]}"
}

print_env() {
  cat <<EOF
VEGVISION_DATABASE_URL=postgres://$VEGVISION_PG_USER:$VEGVISION_PG_PASSWORD@$LOOPBACK:$VEGVISION_PG_PORT/$VEGVISION_PG_DB
VEGVISION_KAFKA_BROKERS=$LOOPBACK:$VEGVISION_KAFKA_PORT
VEGVISION_S3_ENDPOINT=http://$LOOPBACK:$VEGVISION_S3_PORT
VEGVISION_S3_BUCKET=$VEGVISION_S3_BUCKET
VEGVISION_S3_ACCESS_KEY_ID=$VEGVISION_S3_ACCESS_KEY_ID
VEGVISION_S3_SECRET_ACCESS_KEY=$VEGVISION_S3_SECRET_ACCESS_KEY
VEGVISION_S3_REGION=$VEGVISION_S3_REGION
EOF
}

t0=$(date +%s)
case "${1:-}" in
  install)
    log "installing into cache $VEGVISION_CACHE_DIR"
    run_all install "${SERVICES[@]}" || die "install failed"
    log "install done in $(elapsed "$t0")s"
    ;;
  up)
    log "stack dir $VEGVISION_STACK_DIR"
    run_all install "${SERVICES[@]}" || die "install failed"
    mkdir -p "$VEGVISION_STACK_DIR"
    for s in "${SERVICES[@]}"; do
      if ! "$HERE/$s.sh" start; then
        log "$s failed to start: stopping what was started"
        mapfile -t rev < <(reverse "${SERVICES[@]}")
        run_all stop "${rev[@]}" || true
        die "stack up failed"
      fi
    done
    log "stack up in $(elapsed "$t0")s:"
    print_env | sed 's/^/  /' >&2
    ;;
  down)
    mapfile -t rev < <(reverse "${SERVICES[@]}")
    run_all stop "${rev[@]}" || die "some server did not stop cleanly"
    log "stack down in $(elapsed "$t0")s"
    ;;
  status)
    run_all status "${SERVICES[@]}"
    ;;
  env)
    print_env
    ;;
  clean)
    mapfile -t rev < <(reverse "${SERVICES[@]}")
    run_all stop "${rev[@]}" || true
    case "$(realpath -m "$VEGVISION_STACK_DIR")" in
      / | "$HOME" | /tmp | /root | /home | /var | /usr) die "refusing to delete $VEGVISION_STACK_DIR" ;;
    esac
    log "removing $VEGVISION_STACK_DIR (caches in $VEGVISION_CACHE_DIR and ~/.m2 are kept)"
    rm -rf "$VEGVISION_STACK_DIR"
    ;;
  *)
    echo "usage: $0 {install|up|down|status|env|clean}" >&2
    exit 2
    ;;
esac

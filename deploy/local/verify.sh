#!/usr/bin/env bash
# Smoke test of a running stack (deploy/local/stack.sh up):
#   PostgreSQL  - log in as the app role over TCP, write and read a table; wrong password refused
#   Kafka       - create a topic, produce and consume with the console tools from the jars
#   S3          - signed PUT/GET; presigned GET works; tampered presigned URL -> 403;
#                 anonymous GET -> 403; wrong secret -> 403
# Prints one line per check and "N passed, N failed"; exits 1 when a check failed.
set -euo pipefail
_vv_tag=verify
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$HERE/lib.sh"

passed=0
failed=0
check() {
  local name=$1
  shift
  if "$@"; then
    echo "ok   - $name"
    passed=$((passed + 1))
  else
    echo "FAIL - $name"
    failed=$((failed + 1))
  fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run_id="$(date +%s)-$$"

# ----------------------------------------------------------------- PostgreSQL
pg() {
  PGPASSWORD="$1" PGCONNECT_TIMEOUT=5 psql -X -q -v ON_ERROR_STOP=1 -h "$LOOPBACK" -p "$VEGVISION_PG_PORT" \
    -U "$VEGVISION_PG_USER" -d "$VEGVISION_PG_DB" -tA "${@:2}"
}
pg_roundtrip() {
  local got
  got=$(pg "$VEGVISION_PG_PASSWORD" -c "CREATE TEMP TABLE vv_check(v text); INSERT INTO vv_check VALUES ('$run_id'); SELECT v FROM vv_check;") &&
    [[ $got == "$run_id" ]]
}
pg_wrong_password() { ! pg wrong-password -c 'SELECT 1' >/dev/null 2>&1; }
check "postgres: login as $VEGVISION_PG_USER over TCP, write+read" pg_roundtrip
check "postgres: wrong password refused" pg_wrong_password

# ---------------------------------------------------------------------- Kafka
topic="vv-verify-$run_id"
kafka_topic() {
  "$HERE/kafka.sh" topics --create --topic "$topic" --partitions 3 --replication-factor 1 >/dev/null
}
kafka_roundtrip() {
  printf 'm1-%s\nm2-%s\nm3-%s\n' "$run_id" "$run_id" "$run_id" |
    "$HERE/kafka.sh" exec org.apache.kafka.tools.ConsoleProducer \
      --bootstrap-server "$LOOPBACK:$VEGVISION_KAFKA_PORT" --topic "$topic" >/dev/null || return 1
  "$HERE/kafka.sh" exec org.apache.kafka.tools.consumer.ConsoleConsumer \
    --bootstrap-server "$LOOPBACK:$VEGVISION_KAFKA_PORT" --topic "$topic" --group "vv-verify-$run_id" \
    --from-beginning --max-messages 3 --timeout-ms 30000 >"$tmp/consumed" 2>/dev/null || return 1
  [[ $(sort "$tmp/consumed" | tr '\n' ' ') == "m1-$run_id m2-$run_id m3-$run_id " ]]
}
check "kafka: create topic $topic (3 partitions)" kafka_topic
check "kafka: produce 3 messages and consume them back" kafka_roundtrip

# ------------------------------------------------------------------------- S3
endpoint="http://$LOOPBACK:$VEGVISION_S3_PORT"
key="verify/$run_id/hello world.txt"
obj="$endpoint/$VEGVISION_S3_BUCKET/${key// /%20}" # URL-encoded; the key has a space on purpose
echo "hello from vegvision $run_id" >"$tmp/body"
sigv4() { node "$HERE/s3-sigv4.mjs" "$@"; }
http_code() { curl -s -o "$tmp/out" -w '%{http_code}' "$@" || true; }

s3_put() { sigv4 request PUT "$obj" "$tmp/body" >/dev/null 2>&1; }
s3_get() { sigv4 request GET "$obj" 2>/dev/null | cmp -s - "$tmp/body"; }
s3_presigned_get() {
  local url
  url=$(sigv4 presign GET "$obj" 300) || return 1
  [[ $(http_code "$url") == 200 ]] && cmp -s "$tmp/out" "$tmp/body"
}
s3_tampered_signature() {
  local url sig bad
  url=$(sigv4 presign GET "$obj" 300) || return 1
  sig=${url##*X-Amz-Signature=}
  # flip the last hex digit of the signature
  bad=${sig%?}$([[ ${sig: -1} == 0 ]] && echo 1 || echo 0)
  [[ $(http_code "${url%"$sig"}$bad") == 403 ]]
}
s3_tampered_key() {
  local url
  url=$(sigv4 presign GET "$obj" 300) || return 1
  # same signature, other object key
  [[ $(http_code "${url/hello%20world.txt/other.txt}") == 403 ]]
}
s3_anonymous() { [[ $(http_code "$obj") == 403 ]]; }
s3_wrong_secret() {
  local url
  url=$(VEGVISION_S3_SECRET_ACCESS_KEY=not-the-secret node "$HERE/s3-sigv4.mjs" presign GET "$obj" 300) || return 1
  [[ $(http_code "$url") == 403 ]]
}
s3_delete() { sigv4 request DELETE "$obj" >/dev/null 2>&1; }
check "s3: signed PUT s3://$VEGVISION_S3_BUCKET/$key" s3_put
check "s3: signed GET returns the same bytes" s3_get
check "s3: presigned GET -> 200 and the same bytes" s3_presigned_get
check "s3: presigned GET with altered signature -> 403" s3_tampered_signature
check "s3: presigned URL reused for another key -> 403" s3_tampered_key
check "s3: anonymous GET -> 403" s3_anonymous
check "s3: URL signed with a wrong secret -> 403" s3_wrong_secret
check "s3: signed DELETE" s3_delete

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]

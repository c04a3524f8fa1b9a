#!/usr/bin/env bash
# `npm run test:all`: every suite, with the real servers. Starts PostgreSQL, Kafka and the S3
# server on loopback (deploy/local/stack.sh; the first run builds/downloads them, minutes), exports
# their VEGVISION_* variables, runs `npm test`, and stops the servers afterwards if it started them.
# Still skipped: the KurrentDB suite unless KURRENTDB_URL is set (no registry serves a KurrentDB
# server), the browser suite without /usr/bin/chromium.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE/../.."
export ONNXRUNTIME_NODE_INSTALL=skip

if bash "$HERE/stack.sh" status >/dev/null 2>&1; then
  echo "test:all: the local servers are already running: using them (left running)"
else
  bash "$HERE/stack.sh" up
  trap 'bash "$HERE/stack.sh" down || true' EXIT
fi
eval "$(bash "$HERE/stack.sh" env | sed 's/^/export /')"
npm test

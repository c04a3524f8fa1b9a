#!/usr/bin/env bash
# The loop from the catalog's truth back into a model, on real photos, end to end through the product:
#   1. the real-photo train side (splits/real-photos-v1.json) enters an embedded vegvision catalog the way people
#      would put it there: the vegetables by `vegvision import` of a ground-truth folder (train/<Kind>/...), the
#      non-vegetables uploaded like any photo (POST /api/images) and corrected by an editor to "not a vegetable"
#      (POST /api/images/:id/corrections);
#   2. `vegvision export training-set` folds what people said out of the event log;
#   3. train_real trains a new version on the dataset plus that export and nothing of the photo folder's train side
#      (--real-train-from-sets; the folder's validation side still selects and calibrates), evaluate_ts measures it
#      through the product and writes the card;
#   4. `vegvision relabel --model <new>` replays the catalog with it and reports agreement with the people's labels.
# Usage (from services/trainer): ./train-from-log.sh VERSION WORKDIR [extra train_real options...]
set -euo pipefail
VERSION=${1:?usage: train-from-log.sh VERSION WORKDIR [train_real options]}
WORK=${2:?usage: train-from-log.sh VERSION WORKDIR [train_real options]}
shift 2
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SHARED=${VEGVISION_SHARED_DIR:-$ROOT/../shared}
PHOTOS=$SHARED/data/real-photos
DATA=$SHARED/data/vegetable-images
OUT=$ROOT/libs/classifier/models/$VERSION
CLI=(node "$ROOT/services/vegvision/bin/vegvision.js")
TOKEN=train-from-log-editor-token
PORT=${PORT:-18431}
[ -e "$WORK" ] && { echo "train-from-log: $WORK exists; give a new work folder" >&2; exit 1; }
[ -e "$OUT" ] && { echo "train-from-log: $OUT exists; give a new version" >&2; exit 1; }
mkdir -p "$WORK/folder/train"
export VEGVISION_DATA_DIR=$WORK/data
step() { printf '\n== %s  %s\n' "$(date +%H:%M:%S)" "$*"; }

step "1/4 the real-photo train side into a catalog (vegetables imported with their kind, negatives uploaded + corrected)"
python3 - "$HERE/splits/real-photos-v1.json" "$PHOTOS" "$WORK" <<'PY'
import json, shutil, sys
from pathlib import Path
manifest, photos, work = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
neg = []
for it in json.loads(manifest.read_text())["items"]:
    if it["split"] != "train":
        continue
    src = photos / it["file"]
    if it["label"] == "not_a_vegetable":
        neg.append(str(src))
    else:
        dst = work / "folder" / "train" / it["label"] / src.name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
(work / "negatives.txt").write_text("\n".join(neg) + "\n")
print(f"{sum(1 for p in (work / 'folder').rglob('*') if p.is_file())} vegetables to import, {len(neg)} negatives to upload")
PY
"${CLI[@]}" import "$WORK/folder"

VEGVISION_PORT=$PORT VEGVISION_EDITOR_TOKENS="people:$TOKEN" VEGVISION_UPLOAD_RATE_PER_MINUTE=100000 \
  "${CLI[@]}" serve >"$WORK/serve.log" 2>&1 &
SERVE=$!
trap 'kill $SERVE 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 1; done
n=0
while IFS= read -r f; do
  [ -n "$f" ] || continue
  id=$(curl -sf -F "file=@$f" "http://127.0.0.1:$PORT/api/images" | jq -r .imageId)
  curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d '{"kind":"not_a_vegetable","note":"train-from-log: a real-photo negative"}' \
    "http://127.0.0.1:$PORT/api/images/$id/corrections"
  n=$((n + 1)); [ $((n % 100)) -eq 0 ] && echo "  uploaded and corrected $n"
done <"$WORK/negatives.txt"
echo "  uploaded and corrected $n negatives"
# labels arrive asynchronously; the last upload ready means the queue has drained
[ "$n" -gt 0 ] || { echo "train-from-log: no negative uploaded" >&2; exit 1; }
until [ "$(curl -sf "http://127.0.0.1:$PORT/api/images/$id" | jq -r .status)" = ready ]; do sleep 2; done
kill $SERVE; wait $SERVE 2>/dev/null || true; trap - EXIT

step "2/4 export the training set from the event log"
"${CLI[@]}" export training-set --out "$WORK/set"
jq '{total, counts, bySource, log}' "$WORK/set/manifest.json"

step "3/4 train $VERSION on the dataset + the export only (the photo folder's train side is not read)"
cd "$HERE"
python3 -m vegtrainer.train_real --data "$DATA" --photos "$PHOTOS" --out "$OUT" \
  --extra-set "$WORK/set" --real-train-from-sets "$@"
python3 -m vegtrainer.evaluate_ts --model "$OUT" --data "$DATA" --photos "$PHOTOS" --update-card

step "4/4 relabel the catalog with $VERSION"
"${CLI[@]}" relabel --model "$VERSION" | tee "$WORK/relabel.txt"
step "done: $OUT (model card), $WORK/set/manifest.json, $WORK/relabel.txt"

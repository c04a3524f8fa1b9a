"""Attach a vegtrainer.compare measurement to an existing model directory's card (JSON + Markdown).

    python -m vegtrainer.addcompare --model ../../libs/classifier/models/mnv2-160-v1 --compare /tmp/vegtrainer-compare.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path



def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--compare", required=True)
    a = ap.parse_args(argv)
    model = Path(a.model)
    cmp_doc = json.loads(Path(a.compare).read_text())
    card_p = model / "model-card.json"
    card = json.loads(card_p.read_text())
    card["metrics"]["architectureComparison"] = cmp_doc
    card_p.write_text(json.dumps(card, indent=2) + "\n")
    from .report import rerender

    rerender(model)
    print(f"updated {card_p} and model-card.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

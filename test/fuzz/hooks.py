"""schemathesis hooks for the vegvision fuzz run (loaded by run-schemathesis.sh).

Two rules of the API cannot be written in OpenAPI 3.0, so a case that the document calls valid
can still be refused by the server, as the document says in words:

- GET /api/images, /api/catalog/images and /api/catalog/facets: a `colour` needs a `palette` and must be
  one of that palette's 12 colours (400 `palette_required`, `colour_not_in_palette`); a `cursor` is valid
  only as a previous page's `nextCursor` (positive cases send none); `minConfidence` ≤ `maxConfidence`.
- POST /api/images and POST /api/admin/catalog/images: the bytes of `file` must be an image (the document's
  multipart `encoding` says so, but schemathesis's fuzzer still draws any of its sample files,
  a PDF say, or random bytes, for a `format: binary` string).

Only *positive* cases (valid by the document) are touched: the colour is replaced by a colour of
the palette (a palette added when absent), and a positive upload whose drawn bytes are no image
is not sent (schemathesis's own JPEG, PNG and WebP samples are). Negative cases are left exactly
as generated, so every check, `negative_data_rejection` included, sees what schemathesis made.
"""

from __future__ import annotations

import hashlib
import json
import os
import urllib.request

import schemathesis

BASE_URL = os.environ["VEGVISION_FUZZ_URL"]
with urllib.request.urlopen(f"{BASE_URL}/api/palettes", timeout=10) as _r:
    PALETTES: dict[str, list[str]] = {p["name"]: p["colours"] for p in json.load(_r)["palettes"]}


def _is_positive(case) -> bool:
    """Valid by the document in every part: a case can be negative in one component only (its body, say)."""
    meta = case.meta
    return (
        meta is not None
        and meta.generation.mode.is_positive
        and not any(component.mode.is_negative for component in meta.components.values())
    )


def _pick(seed: object, options: list[str]) -> str:
    digest = hashlib.sha256(repr(seed).encode()).digest()
    return options[digest[0] % len(options)]


def _bytes_of(value: object) -> bytes | None:
    data = getattr(value, "data", value)  # schemathesis wraps drawn bytes in `Binary`
    return bytes(data) if isinstance(data, (bytes, bytearray)) else None


IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


def _is_image(data: bytes) -> bool:
    return data.startswith(IMAGE_SIGNATURES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


UPLOADS = ("POST /api/images", "POST /api/admin/catalog/images")
COLOUR_FILTERED = ("GET /api/images", "GET /api/catalog/images", "GET /api/catalog/facets")
CATALOG_FILTERED = ("GET /api/catalog/images", "GET /api/catalog/facets")


def _number(value: object) -> float | None:
    try:
        return float(value)  # query values may arrive as numbers or as their text
    except (TypeError, ValueError):
        return None


@schemathesis.hook
def filter_case(context, case):
    """Positive uploads whose drawn bytes are no image (a PDF sample, random bytes) are not sent."""
    if _is_positive(case) and f"{case.operation.method.upper()} {case.operation.path}" in UPLOADS and isinstance(case.body, dict):
        data = _bytes_of(case.body.get("file"))
        return data is None or _is_image(data)
    return True


@schemathesis.hook
def map_case(context, case):
    if not _is_positive(case):
        return case
    label = f"{case.operation.method.upper()} {case.operation.path}"
    if label in COLOUR_FILTERED and isinstance(case.query, dict) and case.query.get("colour") is not None:
        palette = case.query.get("palette") or _pick(case.query["colour"], sorted(PALETTES))
        case.query = {**case.query, "palette": palette, "colour": _pick(case.query["colour"], PALETTES[palette])}
    if label in CATALOG_FILTERED and isinstance(case.query, dict):
        query = dict(case.query)
        # A cursor is only valid as a previous page's nextCursor, for the same sort and filters.
        query.pop("cursor", None)
        low, high = _number(query.get("minConfidence")), _number(query.get("maxConfidence"))
        if low is not None and high is not None and low > high:
            query["minConfidence"], query["maxConfidence"] = query["maxConfidence"], query["minConfidence"]
        case.query = query
    return case

"""Where one document stands in the pipeline, asked of each service over HTTP."""

from __future__ import annotations

from typing import Any

import httpx

STAGES = ("intake", "review", "tagging", "publication", "distribution")


def _get(client: httpx.Client, url: str) -> tuple[int, Any]:
    try:
        response = client.get(url)
    except httpx.HTTPError:
        return 0, None
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, None


def pipeline_status(client: httpx.Client, urls: dict[str, str], document_id: str) -> dict[str, str]:
    """A short word per stage: what each service says about ``document_id``."""
    result: dict[str, str] = {}
    code, body = _get(client, f"{urls['intake']}/v1/documents/{document_id}")
    result["intake"] = (f"v{body['version']} {body['status']}" if code == 200 else "unknown" if code == 404
                        else "unreachable")
    code, body = _get(client, f"{urls['review']}/v1/reviews/{document_id}")
    result["review"] = body["decision"] if code == 200 else "…" if code == 404 else "unreachable"
    code, body = _get(client, f"{urls['tagging']}/v1/documents/{document_id}/tags")
    result["tagging"] = (f"{len(body['tags'])} tags" if code == 200 else "…" if code == 404 else "unreachable")
    code, body = _get(client, f"{urls['publication']}/v1/publications/{document_id}")
    if code == 200:
        if body["library_status"] == "released":
            result["publication"] = "released" if body["public"] else "released (targeted)"
        elif body["library_status"] == "withdrawn":
            result["publication"] = "withdrawn"
        else:
            result["publication"] = body["candidate_status"] or "…"
    else:
        result["publication"] = "…" if code == 404 else "unreachable"
    code, body = _get(client, f"{urls['distribution']}/v1/deliveries?document_id={document_id}")
    if code == 200:
        rows = body["deliveries"]
        done = sum(1 for r in rows if r["status"] == "delivered")
        result["distribution"] = f"{done}/{len(rows)} delivered" if rows else "…"
    else:
        result["distribution"] = "unreachable"
    return result


def is_settled(status: dict[str, str]) -> bool:
    """Nothing more will happen without a person: delivered everywhere, stopped by review, or a duplicate."""
    if status["intake"].endswith(" duplicate"):
        return True  # the original, sent earlier by another system, is the one that goes on
    if status["review"] in ("rejected", "needs_human"):
        return True
    if status["publication"] in ("not_proactive", "not_approved", "withdrawn"):
        return True
    dist = status["distribution"]
    if dist.endswith("delivered") and "/" in dist:
        done, total = dist.split()[0].split("/")
        return done == total
    return False

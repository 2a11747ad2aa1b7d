"""The catalogue as a readable page: server-rendered, no JavaScript, every value escaped, a strict CSP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from services.tagging.domain import Catalogue

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
CSS_PATH = "/catalog/catalog.css"

CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}

# How each rule field reads on the page, in the order the matcher applies them.
RULE_LABELS = {
    "any": "any 任一词 (each adds points)",
    "all": "all 全部出现 (required)",
    "phrases": "phrases 短语 (exact)",
    "regex": "regex 正则",
    "exclude": "exclude 排除语境",
    "title_suffixes": "title ends with 标题文种",
    "doc_type_values": "doc_type field 上游文种",
    "match": "match",
    "weights": "weights 权重",
    "threshold": "threshold 阈值",
    "body_cap": "body hits counted",
    "per_sentence": "one hit per sentence",
}


def wants_html(request: Request) -> bool:
    """Content negotiation: HTML only when the client prefers it to JSON (browsers do; curl does not)."""
    html = json = 0.0
    for part in request.headers.get("accept", "").split(","):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media in ("text/html", "application/xhtml+xml"):
            html = max(html, q)
        elif media in ("application/json", "application/*", "*/*"):
            json = max(json, q)
    return html > json


def _item(value: Any) -> str:
    if isinstance(value, dict):
        text = str(value.get("term") or value.get("pattern") or value)
        weight = value.get("weight")
        if weight is not None and weight != 1.0:
            text += f" ×{weight:g}"
        if value.get("match"):
            text += f" [{value['match']}]"
        if value.get("fields"):
            text += f" in {'/'.join(value['fields'])}"
        return text
    return str(value)


def rule_lines(rules: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """A tag's rules (as ``to_dict(include_rules=True)`` gives them) as labelled lists of terms."""
    lines: list[tuple[str, list[str]]] = []
    for key, value in rules.items():
        if isinstance(value, list):
            items = [_item(v) for v in value]
        elif isinstance(value, dict):
            items = [f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}" for k, v in value.items()]
        else:
            items = [str(value).lower() if isinstance(value, bool) else str(value)]
        lines.append((RULE_LABELS.get(key, key), items))
    return lines


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )


class CataloguePage:
    def __init__(self) -> None:
        self._env = _environment()
        self._css = (STATIC / "catalog.css").read_text(encoding="utf-8")

    def render(self, catalogue: Catalogue, *, published: dict[str, Any] | None = None) -> HTMLResponse:
        data = catalogue.to_dict(include_rules=True)
        depth = {t.code: len(catalogue.ancestors(t.code)) for t in catalogue.tags}
        dimensions = []
        for dim in catalogue.dimensions:
            tags = [
                {**t, "depth": min(depth[t["code"]], 4), "lines": rule_lines(t.get("rules", {}))}
                for t in data["tags"]
                if t["dimension"] == dim.code
            ]
            defaults = dim.defaults.model_dump(mode="json", exclude_defaults=True)
            cues = dim.cues.model_dump(mode="json") if dim.cues else None
            dimensions.append({"dim": dim, "tags": tags, "defaults": rule_lines(defaults), "cues": cues})
        html = self._env.get_template("catalogue.html").render(
            catalogue=catalogue,
            dimensions=dimensions,
            defaults=rule_lines(catalogue.defaults.model_dump(mode="json", exclude_defaults=True)),
            published=published or {},
            css=CSS_PATH,
        )
        return HTMLResponse(html, headers={**SECURITY_HEADERS, "Vary": "Accept"})

    def stylesheet(self) -> Response:
        return Response(self._css, media_type="text/css", headers={"X-Content-Type-Options": "nosniff",
                                                                  "Cache-Control": "max-age=3600"})

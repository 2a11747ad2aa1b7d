"""Per-channel rendering from Jinja2 templates in ``templates/``: WeChat article HTML, Weibo text, e-mail.

HTML templates autoescape, so document text (plain text by contract) can never inject markup.
Every rendering links the interpretation (政策解读) where the document has one, and the policy
where the document is an interpretation.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from services.distribution.domain.platforms import fit_weibo

TEMPLATES = Path(__file__).with_name("templates")
WECHAT_TITLE_MAX = 64
WECHAT_DIGEST_MAX = 120


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Article:
    title: str
    digest: str
    html: str


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


class Renderer:
    def __init__(self, templates: Path = TEMPLATES) -> None:
        self.env = Environment(
            loader=FileSystemLoader(templates),
            autoescape=select_autoescape(["html"], default_for_string=False, default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )

    def _render(self, name: str, **context: Any) -> str:
        return self.env.get_template(name).render(**context).strip()

    def wechat_article(self, doc: dict[str, Any]) -> Article:
        paragraphs = [p.strip() for p in str(doc.get("body", "")).splitlines() if p.strip()]
        html = self._render("wechat_article.html", doc=_doc(doc), paragraphs=paragraphs)
        return Article(_cut(doc["title"], WECHAT_TITLE_MAX), _cut(doc.get("summary", ""), WECHAT_DIGEST_MAX), html)

    def weibo_post(self, doc: dict[str, Any], *, limit: float, url_weight: float) -> str:
        template = self.env.get_template("weibo_post.txt")
        context = _doc(doc)

        def render(title: str, summary: str) -> str:
            return template.render(doc=context, title=title, summary=summary).strip()

        return fit_weibo(render, doc["title"], doc.get("summary", ""), limit=limit, url_weight=url_weight)

    def release_mail(self, doc: dict[str, Any], unsubscribe_url: str) -> Mail:
        ctx = {"doc": _doc(doc), "unsubscribe_url": unsubscribe_url}
        subject = f"【政策推送】{doc['title']}"
        return Mail(subject, self._render("email_release.txt", **ctx), self._render("email_release.html", **ctx))

    def withdrawn_mail(self, doc: dict[str, Any], unsubscribe_url: str) -> Mail:
        ctx = {"doc": _doc(doc), "unsubscribe_url": unsubscribe_url}
        text = self._render("email_withdrawn.txt", **ctx)
        return Mail(f"【已撤回】{doc.get('title', '')}", text, "")

    def digest_mail(self, day: str, items: list[dict[str, Any]], unsubscribe_url: str) -> Mail:
        ctx = {"day": day, "items": [_doc(i) for i in items], "unsubscribe_url": unsubscribe_url}
        subject = f"【政策推送】{day} 每日汇总（{len(items)} 篇）"
        return Mail(subject, self._render("email_digest.txt", **ctx), self._render("email_digest.html", **ctx))

    def confirm_mail(self, *, email: str, channel_name: str, audiences: list[str], tags: list[str], mode: str,
                     confirm_url: str) -> Mail:
        ctx = {"email": email, "channel_name": channel_name, "audiences": audiences, "tags": tags, "mode": mode,
               "confirm_url": confirm_url}
        return Mail(
            "请确认订阅政策推送 (confirm your subscription)",
            self._render("email_confirm.txt", **ctx), self._render("email_confirm.html", **ctx),
        )

    def page(self, title: str, message: str) -> str:
        return self._render("subscription_page.html", title=title, message=message)


def _doc(doc: dict[str, Any]) -> dict[str, Any]:
    """The fields templates use, with the optional ones present, so StrictUndefined catches only typos."""
    return {
        "title": doc.get("title", ""),
        "summary": doc.get("summary", ""),
        "url": doc.get("url", ""),
        "doc_number": doc.get("doc_number"),
        "issuing_organ": doc.get("issuing_organ", ""),
        "written_date": doc.get("written_date", ""),
        "attachments": doc.get("attachments") or [],
        "interpretation": doc.get("interpretation"),
        "interprets": doc.get("interprets"),
    }

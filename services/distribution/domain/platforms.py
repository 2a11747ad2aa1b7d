"""What the platforms' answers mean (WeChat errcodes and publish states, Weibo error codes) and Weibo length.

Each classification answers one question: retry later, refresh the credential and retry, or give up.
Codes not listed are treated as permanent: a request the platform refuses for an unknown reason is
alerted to an operator rather than retried blindly.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

Verdict = Literal["ok", "refresh", "temporary", "permanent"]

# https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html
WECHAT_REFRESH = frozenset({40001, 40014, 42001})  # invalid / expired access_token
WECHAT_TEMPORARY = frozenset({-1, 45009, 45011, 45047, 50002, 53503})  # busy, quotas, rate limits
WECHAT_GONE = frozenset({53600})  # article_id invalid: on delete, nothing left to retract


def wechat_verdict(errcode: int) -> Verdict:
    if errcode == 0:
        return "ok"
    if errcode in WECHAT_REFRESH:
        return "refresh"
    if errcode in WECHAT_TEMPORARY:
        return "temporary"
    return "permanent"


PublishState = Literal["published", "publishing", "resubmit", "refused"]

WECHAT_PUBLISH_STATUS = {
    0: "成功 published",
    1: "发布中 publishing",
    2: "原创失败 original-content check failed",
    3: "常规失败 normal failure",
    4: "平台审核不通过 refused by platform review",
    5: "成功后用户删除所有文章 deleted by the account",
    6: "成功后系统封禁所有文章 banned by the platform",
}


def wechat_publish_state(publish_status: int) -> PublishState:
    """0 done; 1 keep polling; 3 (常规失败) submit the draft again later; 2, 4, 5, 6 need a person."""
    if publish_status == 0:
        return "published"
    if publish_status == 1:
        return "publishing"
    if publish_status == 3:
        return "resubmit"
    return "refused"


# https://open.weibo.com/wiki/Error_code
WEIBO_TEMPORARY = frozenset({10001, 10009, 10012, 10022, 10023, 10024, 20016})  # system errors, rate limits
WEIBO_GONE = frozenset({20101, 20102})  # the post does not exist (already deleted)


def weibo_verdict(http_status: int, error_code: int | None) -> Verdict:
    if http_status < 300 and error_code is None:
        return "ok"
    if error_code in WEIBO_TEMPORARY or http_status >= 500 or http_status in (408, 429):
        return "temporary"
    return "permanent"


# ---------------------------------------------------------------- Weibo length

URL = re.compile(r"https?://[^\s<>\"'，。；）】]+")


def weibo_weight(text: str, url_weight: float) -> float:
    """Weibo's length: a CJK (or any non-ASCII) character counts 1, an ASCII character 0.5, a link ``url_weight``.

    Weibo shortens every link to a t.cn short link, so a link's own length does not matter.
    """
    total = 0.0
    rest = URL.sub("", text)
    total += url_weight * len(URL.findall(text))
    for ch in rest:
        total += 0.5 if ord(ch) < 128 else 1.0
    return total


def fit_weibo(
    render: Callable[[str, str], str], title: str, summary: str, *, limit: float, url_weight: float
) -> str:
    """The longest post ``render(title, summary)`` within ``limit``: the summary is cut first, then the title.

    Links are never cut: a post without its link would not lead back to the document.
    """
    text = render(title, summary)
    if weibo_weight(text, url_weight) <= limit:
        return text
    cut_summary = _longest(lambda n: render(title, _ellipsis(summary, n)), len(summary), limit, url_weight)
    if cut_summary is not None:
        return render(title, _ellipsis(summary, cut_summary))
    cut_title = _longest(lambda n: render(_ellipsis(title, n), ""), len(title), limit, url_weight)
    return render(_ellipsis(title, cut_title or 0), "")


def _ellipsis(text: str, n: int) -> str:
    if n <= 0:
        return ""
    return text if n >= len(text) else text[:n].rstrip() + "…"


def _longest(make: Callable[[int], str], n_max: int, limit: float, url_weight: float) -> int | None:
    """The largest n in [1, n_max] whose text fits (weight grows with n), or None."""
    lo, hi, best = 1, n_max, None
    while lo <= hi:
        mid = (lo + hi) // 2
        if weibo_weight(make(mid), url_weight) <= limit:
            best, lo = mid, mid + 1
        else:
            hi = mid - 1
    return best

"""E-mail targeted push (政策进园区、进企业): confirmed subscribers get a mail at once or in a daily digest.

Every mail is logged by key (delivery × subscriber, or digest × day), so a retried delivery mails
only the subscribers the failed attempt did not reach. Mails carry ``List-Unsubscribe`` and
``List-Unsubscribe-Post`` (RFC 8058 one-click). A withdrawal drops the document from pending
digests and tells those who received it that it was withdrawn.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime, make_msgid
from typing import Any

import aiosmtplib

from services.distribution.adapters import BaseAdapter, PermanentFailure, Progress, TemporaryFailure
from services.distribution.domain import Channel, EmailOptions, Work
from services.distribution.domain.subscriptions import digest_cutoff, make_token
from services.distribution.rendering import Mail, Renderer
from services.distribution.subscriptions import SubscriptionRepository
from shared.logging import get_logger

log = get_logger(__name__)
#: Long headers (List-Unsubscribe URLs) stay on one line, up to RFC 5322's 998 characters.
HEADERS = compat32.clone(max_line_length=998)


class Refused(Exception):
    """The server refused this recipient for good (5xx): logged, not retried."""


class Deferred(Exception):
    """The server deferred this recipient (4xx): the delivery is retried for the recipients not yet mailed."""


class Mailer:
    """SMTP through aiosmtplib: one connection per batch of mails."""

    def __init__(self, options: EmailOptions, *, username: str = "", password: str = "", timeout_s: float = 30.0):
        self.options = options
        self.username = username or None
        self.password = password or None
        self.timeout_s = timeout_s

    def message(self, to: str, mail: Mail, headers: dict[str, str] | None = None) -> Message:
        # The compat32 MIME classes: building with EmailMessage's header registry costs ~5x the CPU,
        # which dominates a push to many subscribers.
        msg: Message
        if mail.html:
            msg = MIMEMultipart("alternative", policy=HEADERS)
            msg.attach(MIMEText(mail.text, "plain", "utf-8", policy=HEADERS))
            msg.attach(MIMEText(mail.html, "html", "utf-8", policy=HEADERS))
        else:
            msg = MIMEText(mail.text, "plain", "utf-8", policy=HEADERS)
        msg["From"] = self.options.sender
        msg["To"] = to
        msg["Subject"] = Header(mail.subject, "utf-8")  # type: ignore[assignment]
        msg["Date"] = format_datetime(datetime.now(UTC))
        msg["Message-ID"] = make_msgid(domain=self.options.sender.rpartition("@")[2] or None)
        for name, value in (headers or {}).items():
            msg[name] = value
        return msg

    @contextlib.asynccontextmanager
    async def connect(self) -> AsyncIterator[aiosmtplib.SMTP]:
        smtp = aiosmtplib.SMTP(
            hostname=self.options.smtp_host, port=self.options.smtp_port, username=self.username,
            password=self.password, timeout=self.timeout_s, use_tls=self.options.use_tls,
            start_tls=self.options.starttls,
        )
        try:
            await smtp.connect()
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise TemporaryFailure(f"SMTP {self.options.smtp_host}:{self.options.smtp_port}: {exc}") from exc
        try:
            yield smtp
        finally:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await smtp.quit()

    @staticmethod
    async def send(smtp: aiosmtplib.SMTP, message: Message) -> None:
        """Send one mail: Refused (5xx) or Deferred (4xx) for this recipient, TemporaryFailure if the link broke."""
        try:
            await smtp.send_message(message)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            detail = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
            if codes and all(c >= 500 for c in codes):
                raise Refused(detail) from exc
            raise Deferred(detail) from exc
        except aiosmtplib.SMTPResponseException as exc:
            if exc.code >= 500:
                raise Refused(f"{exc.code} {exc.message}") from exc
            if exc.code >= 400:
                raise Deferred(f"{exc.code} {exc.message}") from exc
            raise TemporaryFailure(f"SMTP {exc.code} {exc.message}") from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise TemporaryFailure(f"SMTP: {type(exc).__name__}: {exc}") from exc


class EmailAdapter(BaseAdapter):
    def __init__(
        self,
        channel: Channel,
        subscriptions: SubscriptionRepository,
        mailer: Mailer,
        renderer: Renderer,
        *,
        base_url: str,
        secret: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        assert channel.email is not None
        self.channel = channel
        self.options: EmailOptions = channel.email
        self.subs = subscriptions
        self.mailer = mailer
        self.renderer = renderer
        self.base_url = base_url.rstrip("/")
        self.secret = secret
        self.clock = clock

    def unsubscribe_url(self, subscription_id: str) -> str:
        token = make_token(self.secret, "unsubscribe", subscription_id, now=self.clock())
        return f"{self.base_url}/v1/subscriptions/unsubscribe?token={token}"

    def _headers(self, subscription_id: str) -> dict[str, str]:
        return {
            "List-Unsubscribe": f"<{self.unsubscribe_url(subscription_id)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }

    # ---- deliveries

    async def deliver(self, work: Work, progress: Progress) -> str:
        doc = work.payload
        if work.action == "withdraw":
            dropped = await self.subs.drop_queued(self.channel.id, work.document_id)
            mailed = await self.subs.mailed(self.channel.id, work.document_id)
            recipients = list((await self.subs.active(mailed)).values())
            # The withdrawal event carries no title; the delivered release does.
            release = {**doc, **work.released}
            sent = await self._mail_each(work, recipients, "withdraw",
                                         lambda s: self.renderer.withdrawn_mail(release, self.unsubscribe_url(s["_id"])))
            return f"retraction mailed to {sent}, {dropped} dropped from digests"
        wanted = await self.subs.matching(self.channel.id, doc.get("audience", []),
                                          [t["code"] for t in doc.get("tags", [])])
        digest = [s["_id"] for s in wanted if s.get("mode") == "digest"]
        await self.subs.queue(self.channel.id, digest, doc, self.clock())
        immediate = [s for s in wanted if s.get("mode") != "digest"]
        sent = await self._mail_each(work, immediate, "release",
                                     lambda s: self.renderer.release_mail(doc, self.unsubscribe_url(s["_id"])))
        return f"mailed {sent}, queued for digest {len(digest)}"

    async def _mail_each(
        self, work: Work, recipients: list[dict[str, Any]], kind: str, render: Callable[[dict[str, Any]], Mail]
    ) -> int:
        """Mail every recipient not mailed yet for this delivery; returns how many have it now."""
        keys = {s["_id"]: f"{work.delivery_id}:{s['_id']}" for s in recipients}
        done = await self.subs.already_sent(keys.values())
        todo = [s for s in recipients if keys[s["_id"]] not in done]
        deferred: list[str] = []
        if todo:
            async with self.mailer.connect() as smtp:
                for sub in todo:
                    message = self.mailer.message(sub["email"], render(sub), self._headers(sub["_id"]))
                    status, detail = "sent", None
                    try:
                        await self.mailer.send(smtp, message)
                    except Refused as exc:
                        status, detail = "refused", str(exc)
                        log.warning("recipient refused; not retried", channel=self.channel.id,
                                    subscription_id=sub["_id"], error=detail)
                    except Deferred as exc:
                        deferred.append(str(exc))
                        continue
                    # A TemporaryFailure (the link broke) propagates: what was sent is logged, the rest retried.
                    await self.subs.log_mail(keys[sub["_id"]], channel_id=self.channel.id, subscription_id=sub["_id"],
                                             document_id=work.document_id, kind=kind, status=status,
                                             now=self.clock(), detail=detail)
        if deferred:
            raise TemporaryFailure(f"{len(deferred)} of {len(todo)} recipients deferred, e.g. {deferred[0]}")
        return len(recipients) - len(deferred)

    # ---- the daily digest

    async def send_digests(self, now: datetime | None = None, *, cutoff: datetime | None = None) -> int:
        """Send every digest due at ``cutoff`` (default: today's digest hour); returns how many were mailed."""
        now = now or self.clock()
        cutoff = cutoff or digest_cutoff(now, self.options.digest_hour, self.options.timezone)
        due = await self.subs.due_digests(self.channel.id, cutoff)
        if not due:
            return 0
        subscribers = await self.subs.active(due)
        day = cutoff.astimezone(UTC).strftime("%Y-%m-%d") if cutoff.tzinfo else cutoff.strftime("%Y-%m-%d")
        mailed = 0
        async with self.mailer.connect() as smtp:
            for sid, items in due.items():
                sub = subscribers.get(sid)
                ids = [i["_id"] for i in items]
                digest_id = f"{self.channel.id}:digest:{sid}:{int(cutoff.timestamp())}:{len(ids)}"
                if sub is None or not await self.subs.claim(digest_id, self.channel.id, sid, now):
                    continue
                mail = self.renderer.digest_mail(day, [i["doc"] for i in items], self.unsubscribe_url(sid))
                try:
                    await self.mailer.send(smtp, self.mailer.message(sub["email"], mail, self._headers(sid)))
                    status = "sent"
                except Refused as exc:
                    status = "refused"
                    log.warning("digest recipient refused", subscription_id=sid, error=str(exc))
                except Deferred:
                    await self.subs.unclaim(digest_id)
                    continue
                except TemporaryFailure:
                    await self.subs.unclaim(digest_id)
                    raise
                await self.subs.log_mail(digest_id, channel_id=self.channel.id, subscription_id=sid, document_id=None,
                                         kind="digest", status=status, now=now)
                await self.subs.mark_digest_sent(ids, digest_id, now)
                mailed += status == "sent"
        return mailed

    # ---- subscriptions

    async def send_confirmation(self, subscription: dict[str, Any], confirm_url: str) -> None:
        wanted = subscription.get("pending_change") or subscription
        mail = self.renderer.confirm_mail(
            email=subscription["email"], channel_name=self.channel.name, audiences=wanted.get("audiences", []),
            tags=wanted.get("tags", []), mode=wanted.get("mode", "immediate"), confirm_url=confirm_url,
        )
        async with self.mailer.connect() as smtp:
            try:
                await self.mailer.send(smtp, self.mailer.message(subscription["email"], mail))
            except (Refused, Deferred) as exc:
                raise PermanentFailure(str(exc)) from exc

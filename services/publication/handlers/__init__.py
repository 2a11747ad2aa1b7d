"""Publication's use case: join review decisions and tags per version, release what the rules allow."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.publication import search
from services.publication.domain import (
    DEFAULT_VALIDITY,
    VALIDITY,
    Candidate,
    Plan,
    Validity,
    plan_release,
    release_id,
    summary_of,
)
from services.publication.repository import PublicationRepository
from shared import events
from shared.envelope import derive_event_id
from shared.messaging import Incoming
from shared.outbox import Outbox, Outgoing, UnitOfWork

SOURCE = "/govpub/publication"


def _key(document_id: str, version: int) -> str:
    return f"{document_id}:v{version}"


def to_candidate(row: dict[str, Any]) -> Candidate:
    return Candidate(
        document_id=row["document_id"],
        version=row["version"],
        decision=events.DecisionMade.model_validate(row["decision"]) if row.get("decision") else None,
        tagged=events.DocumentTagged.model_validate(row["tagged"]) if row.get("tagged") else None,
        withdrawn=bool(row.get("withdrawn")),
    )


@dataclass
class Batch:
    """The rows one batch reads and writes, so that a batch costs a few queries, not one per event."""

    repo: PublicationRepository
    uow: UnitOfWork
    base_url: str
    now: datetime
    candidates: dict[str, dict[str, Any]] = field(default_factory=dict)
    library: dict[str, dict[str, Any]] = field(default_factory=dict)
    looked_up: set[str] = field(default_factory=set)  # library ids read already, found or not
    dirty_candidates: set[str] = field(default_factory=set)
    dirty_library: set[str] = field(default_factory=set)
    versions: list[dict[str, Any]] = field(default_factory=list)

    async def partner_of(self, c: Candidate) -> dict[str, Any] | None:
        content = c.content
        if content is None:
            return None
        if content.interprets:
            field_, value = "doc_number", content.interprets
        elif content.requires_interpretation and content.doc_number:
            field_, value = "interprets", content.doc_number
        else:
            return None
        local = [r for r in self.candidates.values() if r.get(field_) == value and not r.get("withdrawn")]
        stored = await self.repo.latest_candidate(field_, value, self.uow.session)
        if stored is not None and stored["_id"] not in self.candidates:
            self.candidates[stored["_id"]] = stored
            local.append(stored)
        return max(local, key=lambda r: r["version"]) if local else None

    async def load_entries(self, document_ids: set[str]) -> None:
        """Read the library entries of these documents in one query; entry() then asks only for others."""
        wanted = document_ids - self.looked_up - self.library.keys()
        if wanted:
            for document_id, row in (await self.repo.library_entries(wanted, self.uow.session)).items():
                self.library.setdefault(document_id, row)  # never over a row this batch has changed
            self.looked_up |= wanted

    async def entry(self, document_id: str) -> dict[str, Any] | None:
        await self.load_entries({document_id})
        return self.library.get(document_id)


_VERSION_FIELDS = {"doc_number", "title", "issuing_organ", "doc_type", "written_date", "body", "attachments", "note"}


def _url(base: str, document_id: str) -> str:
    return f"{base.rstrip('/')}/documents/{document_id}"


def _linked(row: dict[str, Any], base: str) -> events.LinkedDocument:
    doc = row["decision"]["document"]
    return events.LinkedDocument(document_id=row["document_id"], title=doc["title"], url=_url(base, row["document_id"]))


async def _release(b: Batch, row: dict[str, Any], partner: dict[str, Any] | None, cause: Incoming[Any]) -> None:
    c = to_candidate(row)
    content = c.content
    assert c.decision is not None and c.tagged is not None and content is not None
    previous = await b.entry(c.document_id)
    url = _url(b.base_url, c.document_id)
    link = _linked(partner, b.base_url) if partner else None
    tags = [events.PublicTag(code=t.code, dimension=t.dimension, name_zh=t.name_zh) for t in c.tagged.tags]
    # Validity (效力状态) is the library's, set by editors; a new version keeps it.
    validity: Validity = previous["validity"] if previous and previous.get("validity") in VALIDITY else DEFAULT_VALIDITY
    event = events.DocumentReleased(
        document_id=c.document_id,
        release_id=release_id(c.document_id, c.version),
        version=c.version,
        supersedes_version=previous["version"] if previous and previous.get("status") == "released" else None,
        url=url,
        doc_number=content.doc_number,
        title=content.title,
        issuing_organ=content.issuing_organ,
        doc_type=content.doc_type,
        written_date=content.written_date,
        released_at=b.now,
        summary=summary_of(content.body),
        body=content.body,
        attachments=content.attachments,
        tags=tags,
        audience=content.audience,
        interpretation=link if content.requires_interpretation or (link and not content.interprets) else None,
        interprets=link if content.interprets else None,
        validity=validity,
    )
    history = list(previous.get("history", [])) if previous else []
    history.append({"version": c.version, "released_at": b.now, "content_hash": c.decision.content_hash})
    year = int(content.written_date[:4]) if content.written_date[:4].isdigit() else None
    title_tokens = search.tokens(content.title)
    b.library[c.document_id] = {
        "_id": c.document_id,
        **event.model_dump(mode="python", exclude={"document_id"}),
        "content_hash": c.decision.content_hash,
        "public": not content.audience,
        "status": "released",
        "year": year,
        "tag_codes": [t.code for t in c.tagged.tags],
        "tag_dimensions": sorted({t.dimension for t in c.tagged.tags}),
        "history": history,
        "first_released_at": history[0]["released_at"],
        "requires_interpretation": content.requires_interpretation,
        "title_tokens": sorted(title_tokens),
        "tokens": sorted(title_tokens | search.tokens(content.body) | search.tokens(content.issuing_organ)),
    }
    b.dirty_library.add(c.document_id)
    b.versions.append(
        {
            "_id": event.release_id, "document_id": c.document_id, "version": c.version, "released_at": b.now,
            "content_hash": c.decision.content_hash,
            **content.model_dump(mode="json", include=_VERSION_FIELDS),
        }
    )
    row["status"] = "released"
    b.dirty_candidates.add(row["_id"])
    event_id = derive_event_id(event.release_id, event.TYPE)
    b.uow.emit(Outgoing.of(event, source=SOURCE, now=b.now, cause=cause, event_id=event_id), cause)


async def _evaluate(b: Batch, key: str, cause: Incoming[Any]) -> None:
    row = b.candidates[key]
    c = to_candidate(row)
    entry = await b.entry(c.document_id)
    released = entry["version"] if entry and entry.get("status") == "released" else None
    if entry and entry.get("status") == "withdrawn":
        c = Candidate(c.document_id, c.version, c.decision, c.tagged, withdrawn=True)
    if released == c.version and c.tagged is not None and entry is not None:
        _retag_released(b, entry, c.tagged)
    partner_row = await b.partner_of(c)
    partner = to_candidate(partner_row) if partner_row else None
    partner_released = False
    if partner_row is not None:
        partner_entry = await b.entry(partner_row["document_id"])
        partner_released = bool(partner_entry and partner_entry.get("status") == "released")
    plan = plan_release(c, released, partner=partner, partner_released=partner_released)
    row["status"] = plan.reason
    if plan.reason == "waiting_for_interpretation":
        # When the 三同步 hold began; the overdue check measures from here.
        row.setdefault("held_since", b.now)
    b.dirty_candidates.add(key)
    if plan.plan is Plan.RELEASE:
        await _release(b, row, partner_row if partner_released else None, cause)
        if partner_row is not None and partner_released:
            _link_back(b, partner_row, row)
        await _release_held_interpretation(b, row, cause)
    elif plan.plan is Plan.RELEASE_WITH_PARTNER:
        assert partner_row is not None
        await _release(b, row, partner_row, cause)
        await _release(b, partner_row, row, cause)


def _retag_released(b: Batch, entry: dict[str, Any], tagged: events.DocumentTagged) -> None:
    """Editors' changes and catalogue updates re-tag released documents: the library follows."""
    if tagged.content_hash != entry.get("content_hash"):
        return
    codes = [t.code for t in tagged.tags]
    if codes == entry.get("tag_codes"):
        return
    entry["tags"] = [{"code": t.code, "dimension": t.dimension, "name_zh": t.name_zh} for t in tagged.tags]
    entry["tag_codes"] = codes
    entry["tag_dimensions"] = sorted({t.dimension for t in tagged.tags})
    b.dirty_library.add(entry["_id"])


async def _release_held_interpretation(b: Batch, policy_row: dict[str, Any], cause: Incoming[Any]) -> None:
    """A policy released on its own takes along an interpretation that was waiting for it."""
    doc_number = policy_row.get("doc_number")
    if not doc_number or policy_row.get("interprets"):
        return
    held = [r for r in b.candidates.values() if r.get("interprets") == doc_number]
    stored = await b.repo.latest_candidate("interprets", doc_number, b.uow.session)
    if stored is not None and stored["_id"] not in b.candidates:
        b.candidates[stored["_id"]] = stored
        held.append(stored)
    for row in held:
        if row.get("status") == "waiting_for_policy":
            await _evaluate(b, row["_id"], cause)


def _link_back(b: Batch, partner_row: dict[str, Any], row: dict[str, Any]) -> None:
    entry = b.library.get(partner_row["document_id"])
    if entry is None:
        return
    link = _linked(row, b.base_url).model_dump()
    if row["decision"]["document"].get("interprets"):
        entry["interpretation"] = link
    else:
        entry["interprets"] = link
    b.dirty_library.add(entry["_id"])


async def _withdraw(b: Batch, message: Incoming[events.WithdrawalRequested]) -> None:
    w = message.payload
    for row in b.candidates.values():
        if row["document_id"] == w.document_id:
            row["withdrawn"] = True
            b.dirty_candidates.add(row["_id"])
    entry = await b.entry(w.document_id)
    if entry is None or entry.get("status") != "released":
        # Not released (yet): a tombstone keeps any later approval from releasing it.
        b.library[w.document_id] = {
            "_id": w.document_id, "status": "withdrawn", "public": False, "version": 0,
            "withdrawal": {"reason": w.reason, "at": b.now}, "history": [],
        }
        b.dirty_library.add(w.document_id)
        return
    entry["status"] = "withdrawn"
    entry["withdrawal"] = {"reason": w.reason, "at": b.now}
    b.dirty_library.add(w.document_id)
    event = events.DocumentWithdrawn(
        document_id=w.document_id,
        release_id=entry["release_id"],
        version=entry["version"],
        reason=w.reason,
        withdrawn_at=b.now,
        url=entry["url"],
        audience=entry.get("audience", []),
    )
    b.uow.emit(Outgoing.of(event, source=SOURCE, now=b.now, cause=message), message)


async def on_events(
    repo: PublicationRepository,
    outbox: Outbox,
    batch: list[Incoming[Any]],
    *,
    consumer: str,
    base_url: str,
    now: datetime,
) -> None:
    async with outbox.unit_of_work(consumer) as uow:
        fresh = await uow.fresh(batch)
        b = Batch(repo, uow, base_url, now)
        versioned = [m for m in fresh if isinstance(m.payload, events.DecisionMade | events.DocumentTagged)]
        b.candidates.update(
            await repo.candidates({_key(m.payload.document_id, m.payload.version) for m in versioned}, uow.session)
        )
        await b.load_entries({m.payload.document_id for m in fresh})
        for message in fresh:
            uow.handled(message)
            payload = message.payload
            if isinstance(payload, events.WithdrawalRequested):
                # Withdrawals also cover versions not yet seen: remember them for later events.
                withdrawn_rows = await repo.candidates_of(payload.document_id, uow.session)
                for r in withdrawn_rows:
                    b.candidates.setdefault(r["_id"], r)
                await _withdraw(b, message)
                continue
            key = _key(payload.document_id, payload.version)
            row = b.candidates.setdefault(
                key, {"_id": key, "document_id": payload.document_id, "version": payload.version}
            )
            if isinstance(payload, events.DecisionMade):
                row["decision"] = payload.model_dump(mode="json")
                if payload.document is not None:
                    row["doc_number"] = payload.document.doc_number
                    row["interprets"] = payload.document.interprets
            else:
                row["tagged"] = payload.model_dump(mode="json")
            row["updated_at"] = now
            await _evaluate(b, key, message)
        await repo.save(
            [b.candidates[k] for k in b.dirty_candidates],
            [b.library[k] for k in b.dirty_library],
            uow.session,
            b.versions,
        )

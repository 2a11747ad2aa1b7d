"""Intake's use cases: validate → normalize → assign identity and version → save with its event."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from services.intake.domain import Limits, NormalizedDocument, Problem, content_hash, normalize, validate
from services.intake.domain.duplicates import Candidate, Fingerprint, Link, find_original, fingerprint
from services.intake.identity import Known, document_id_for, next_version
from services.intake.progress import Progress, advances, due_for_redrive, progress_of
from services.intake.refusals import SOURCE, record_refusal, rejection_row, source_ids
from services.intake.repository import IntakeRepository
from shared import events
from shared.envelope import derive_event_id
from shared.logging import get_logger
from shared.messaging import Incoming
from shared.outbox import Outbox, Outgoing, UnitOfWork

log = get_logger(__name__)


@dataclass(frozen=True)
class Submission:
    raw: object
    via: str  # "http" | "kafka" | "import"
    cause: Incoming[Any] | None = None


@dataclass(frozen=True)
class Accepted:
    document_id: str
    version: int
    content_hash: str
    is_new: bool
    document: NormalizedDocument
    duplicate_of: str | None = None

    @property
    def status(self) -> str:
        if not self.is_new:
            return "unchanged"
        return "duplicate" if self.duplicate_of else "received"

    def response(self) -> dict[str, Any]:
        linked = {"duplicate_of": self.duplicate_of} if self.duplicate_of else {}
        return {
            "document_id": self.document_id,
            "version": self.version,
            "content_hash": self.content_hash,
            "status": self.status,
            **linked,
            "doc_number": self.document.doc_number,
            "written_date": self.document.written_date,
            "doc_type": self.document.doc_type,
            "disclosure": self.document.disclosure,
            "changes": [c.__dict__ for c in self.document.changes],
            "flags": [f.__dict__ for f in self.document.flags],
        }


@dataclass(frozen=True)
class Refused:
    source_system: str | None
    source_id: str | None
    problems: list[Problem] = field(default_factory=list)


Result = Accepted | Refused


def content_of(doc: NormalizedDocument) -> events.DocumentContent:
    return events.DocumentContent.model_validate(doc.model_dump(), from_attributes=True)


def _prepare(submission: Submission, limits: Limits) -> tuple[NormalizedDocument | None, list[Problem]]:
    upstream, problems = validate(submission.raw, limits)
    if upstream is None or problems:
        return None, problems
    return normalize(upstream), []


async def submit_many(
    repo: IntakeRepository,
    outbox: Outbox,
    submissions: list[Submission],
    *,
    limits: Limits,
    now: datetime,
    consumer: str | None = None,
) -> list[Result]:
    """Handle a batch in one transaction; results are in the order of ``submissions``."""
    prepared = [_prepare(s, limits) for s in submissions]
    async with outbox.unit_of_work(consumer) as uow:
        fresh_causes = None
        if consumer:
            fresh_causes = {id(m) for m in await uow.fresh([s.cause for s in submissions if s.cause])}
        wanted = [
            document_id_for(doc.source_system, doc.source_id) for doc, _ in prepared if doc is not None
        ]
        known = await repo.known(wanted, uow.session)
        prints = {id(doc): fingerprint(doc) for doc, _ in prepared if doc is not None}
        # Only a document intake has never seen can turn out to be a copy of another system's.
        unseen = [
            prints[id(doc)] for doc, _ in prepared
            if doc is not None and document_id_for(doc.source_system, doc.source_id) not in known
        ]
        if unseen:
            await repo.claim(unseen, uow.session)
        pool = await repo.candidates(unseen, uow.session) if unseen else []
        results: list[Result] = []
        documents: dict[str, dict[str, Any]] = {}
        versions: list[dict[str, Any]] = []
        receipts: dict[str, dict[str, Any]] = {}
        rejections: dict[str, dict[str, Any]] = {}
        for submission, (doc, problems) in zip(submissions, prepared, strict=True):
            if submission.cause is not None and fresh_causes is not None and id(submission.cause) not in fresh_causes:
                continue  # a redelivery: the inbox re-emits what it caused
            if doc is None:
                ss, sid = source_ids(submission.raw)
                results.append(Refused(ss, sid, problems))
                record_refusal(uow, receipts, submission, ss, sid, problems, now)
                rejection = rejection_row(submission, ss, sid, problems, now)
                rejections[rejection["_id"]] = rejection
                continue
            result = _accept(uow, known, documents, versions, receipts, submission, doc, prints[id(doc)], pool, now)
            results.append(result)
        await repo.save(
            list(documents.values()), versions, list(receipts.values()), uow.session, list(rejections.values())
        )
    return results


def _accept(
    uow: UnitOfWork,
    known: dict[str, Known],
    documents: dict[str, dict[str, Any]],
    versions: list[dict[str, Any]],
    receipts: dict[str, dict[str, Any]],
    submission: Submission,
    doc: NormalizedDocument,
    print_: Fingerprint,
    pool: list[Candidate],
    now: datetime,
) -> Accepted:
    document_id = document_id_for(doc.source_system, doc.source_id)
    digest = content_hash(doc)
    previous = known.get(document_id)
    outcome = next_version(previous, digest)
    link: Link | None = None
    if previous is None:
        link = find_original(doc.source_system, document_id, print_, pool)
    duplicate_of = link.canonical if link else previous.duplicate_of if previous else None
    accepted = Accepted(document_id, outcome.version, digest, outcome.is_new, doc, duplicate_of)
    receipts[f"{doc.source_system}/{doc.source_id}"] = {
        "_id": f"{doc.source_system}/{doc.source_id}",
        "status": "accepted",
        "document_id": document_id,
        "version": outcome.version,
        "content_hash": digest,
        "duplicate_of": duplicate_of,
        "problems": [],
        "via": submission.via,
        "at": now,
    }
    if submission.cause is not None:
        uow.handled(submission.cause)
    if not outcome.is_new:
        return accepted
    link_row = (
        {"of": link.canonical, "reason": link.reason, "similarity": link.similarity, "at": now}
        if link else previous.duplicate if previous else None
    )
    known[document_id] = Known(outcome.version, digest, duplicate_of, link_row)
    if previous is None and duplicate_of is None:
        pool.append(Candidate(document_id, doc.source_system, print_))  # a copy later in this batch links to it
    stored = doc.model_dump(mode="json")
    row: dict[str, Any] = {
        "_id": document_id,
        "source_system": doc.source_system,
        "source_id": doc.source_id,
        "doc_number": doc.doc_number,
        "issuing_organ": doc.issuing_organ,
        "title": doc.title,
        "version": outcome.version,
        "content_hash": digest,
        "status": "received",
        "stage": "received",
        "stage_since": now,
        "redrives": 0,
        "current": stored,
        "updated_at": now,
        "fingerprint": print_.to_row(),
        "duplicate_of": duplicate_of,
    }
    documents[document_id] = row
    versions.append(
        {
            "_id": f"{document_id}:v{outcome.version}",
            "document_id": document_id,
            "version": outcome.version,
            "content_hash": digest,
            "document": stored,
            "original": submission.raw,
            "via": submission.via,
            "received_at": now,
            "duplicate_of": duplicate_of,
        }
    )
    if duplicate_of is not None:
        # The original goes through review and publication; the copy is kept, linked and goes no further.
        row.update(status="duplicate", stage="duplicate", duplicate=link_row)
        log.info("duplicate linked", document_id=document_id, duplicate_of=duplicate_of,
                 reason=link.reason if link else "earlier version")
        return accepted
    event = events.DocumentReceived(
        document_id=document_id,
        version=outcome.version,
        content_hash=digest,
        source_system=doc.source_system,
        source_id=doc.source_id,
        received_at=now,
        document=content_of(doc),
        changes=[events.ChangeSummary(field=c.field, kind=c.kind) for c in doc.changes],
        flags=[events.QualityFlag(field=f.field, code=f.code, message=f.message) for f in doc.flags],
    )
    uow.emit(
        Outgoing.of(
            event,
            source=SOURCE,
            now=now,
            cause=submission.cause,
            event_id=derive_event_id(f"{document_id}:v{outcome.version}", event.TYPE),
        ),
        submission.cause,
    )
    return accepted


async def on_progress(
    repo: IntakeRepository, outbox: Outbox, batch: list[Incoming[Any]], *, consumer: str, now: datetime
) -> None:
    """Follow each document downstream, so upstream systems and the stuck monitor know where it is."""
    async with outbox.unit_of_work(consumer) as uow:
        moves: dict[str, Progress] = {}
        for message in await uow.fresh(batch):
            uow.handled(message)
            progress = progress_of(message.payload)
            if progress is not None:
                previous = moves.get(message.payload.document_id)
                if previous is None or advances(previous.stage, progress.stage):
                    moves[message.payload.document_id] = progress
        await repo.advance(moves, now, uow.session)


def received_event_id(document_id: str, version: int) -> str:
    return derive_event_id(f"{document_id}:v{version}", events.DocumentReceived.TYPE)


async def redrive_stuck(
    repo: IntakeRepository, outbox: Outbox, *, now: datetime, limit: timedelta, max_redrives: int,
    per_round: int = 200,
) -> list[dict[str, Any]]:
    """Re-emit the received event of every stuck document (idempotent downstream) and report them."""
    stuck = await repo.stuck(now - limit)
    due = [d for d in stuck
           if due_for_redrive(d.get("redrives", 0), d.get("last_redrive_at"), now, limit, max_redrives)][:per_round]
    if due:
        await outbox.redrive([received_event_id(d["_id"], d["version"]) for d in due])
        await repo.mark_redriven([d["_id"] for d in due], now)
        for d in due:
            log.warning("stuck document re-driven", document_id=d["_id"], version=d["version"], stage=d.get("stage"),
                        redrives=d.get("redrives", 0) + 1)
    return stuck


async def withdraw(
    repo: IntakeRepository, outbox: Outbox, document_id: str, reason: str, *, now: datetime,
    cause: Incoming[Any] | None = None,
    consumer: str | None = None,
) -> bool:
    async with outbox.unit_of_work(consumer) as uow:
        if cause is not None and not await uow.fresh([cause]):
            return True
        found = await repo.mark_withdrawn(document_id, reason, now, uow.session)
        if cause is not None:
            uow.handled(cause)
        if found:
            event = events.WithdrawalRequested(document_id=document_id, reason=reason, withdrawn_at=now)
            uow.emit(Outgoing.of(event, source=SOURCE, now=now, cause=cause), cause)
    return found

"""Tagging's use cases: tag each received version from the catalogue and say why; let editors change tags.

Both end the same way: the tags in effect (rules, then the editors' override) are stored with the
version and published as ``DocumentTagged`` through the outbox, in one transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.tagging import records
from services.tagging.domain import Catalogue, TagAssignment, Tagger, TaggingResult
from services.tagging.domain.editing import Edit, apply_edit, effective
from services.tagging.repository import ConcurrentChange, TaggingRepository, is_conflict
from shared import events
from shared.auth import Principal
from shared.envelope import derive_event_id, new_event_id
from shared.messaging import Incoming
from shared.outbox import Outbox, Outgoing, retrying

SOURCE = "/govpub/tagging"
# Learned suggestions for (title, body): model-sourced candidates the rules missed.
Suggest = Callable[[str, str], Sequence[TagAssignment]]


def no_suggestions(title: str, body: str) -> Sequence[TagAssignment]:
    return ()


def revision_event_id(document_id: str, version: int, rev: int) -> str:
    """Events not caused by a message get their id from the head revision they publish: a retry repeats it."""
    return derive_event_id(f"{records.version_key(document_id, version)}:rev{rev}", events.DocumentTagged.TYPE)


async def on_documents_received(
    repo: TaggingRepository,
    outbox: Outbox,
    tagger: Tagger,
    batch: list[Incoming[events.DocumentReceived]],
    *,
    consumer: str,
    now: datetime,
    suggest: Suggest = no_suggestions,
) -> None:
    catalogue = tagger.catalogue

    def classify(message: Incoming[events.DocumentReceived]) -> tuple[TaggingResult, list[TagAssignment]]:
        doc = message.payload.document
        model = [s for s in suggest(doc.title, doc.body) if catalogue.get(s.code) is not None]
        return tagger.tag(doc.title, doc.body, doc.doc_type), model

    # Segmentation is CPU work: it runs in a worker thread, before the transaction opens, so neither
    # the event loop nor the transaction waits on it (a redelivered message is segmented for nothing).
    results = await asyncio.to_thread(lambda: [classify(m) for m in batch])
    by_message = {id(m): result for m, result in zip(batch, results, strict=True)}
    async with outbox.unit_of_work(consumer) as uow:
        fresh = await uow.fresh(batch)
        if not fresh:
            return
        heads = await repo.heads((m.payload.document_id for m in fresh), uow.session)
        rows: list[dict[str, Any]] = []
        texts: list[dict[str, Any]] = []
        touched: dict[str, dict[str, Any]] = {}
        for message in fresh:
            received = message.payload
            doc = received.document
            document_id = received.document_id
            result, model = by_message[id(message)]
            head = touched.get(document_id) or dict(heads.get(document_id) or records.new_head(document_id))
            in_effect = effective(catalogue, result.assigned, result.suggestions, records.override_of(head), model)
            row = records.tagging_row(
                document_id=document_id,
                version=received.version,
                content_hash=received.content_hash,
                catalogue_version=result.catalogue_version,
                rule_tags=result.assigned,
                rule_suggestions=result.suggestions,
                model_suggestions=model,
                effective=in_effect,
                tagged_at=now,
                title=doc.title,
                doc_type=doc.doc_type,
            )
            rows.append(row)
            # The body stays in tagging's own database: a new catalogue re-tags from it.
            texts.append(
                {
                    "_id": row["_id"],
                    "document_id": document_id,
                    "version": received.version,
                    "title": doc.title,
                    "body": doc.body,
                    "doc_type": doc.doc_type,
                }
            )
            if received.version >= head["version"]:
                head.update(
                    version=received.version,
                    content_hash=received.content_hash,
                    catalogue_version=result.catalogue_version,
                    retagged_for=result.catalogue_version,
                )
            if document_id not in touched:
                head["rev"] += 1
            head["updated_at"] = now
            touched[document_id] = head
            uow.emit(Outgoing.of(records.tagged_event(row, now), source=SOURCE, now=now, cause=message), message)
        await repo.save(rows, uow.session, texts=texts, heads=list(touched.values()))


# ---------------------------------------------------------------- editors


class NotTagged(LookupError):
    """The document has not been tagged yet, so there is nothing to edit."""


class NotSuggested(LookupError):
    def __init__(self, code: str, current: list[str]) -> None:
        super().__init__(code)
        self.code = code
        self.current = current


@dataclass(frozen=True)
class EditResult:
    view: dict[str, Any]
    change: dict[str, Any] | None  # None: the edit changed nothing
    published: bool


async def current_state(
    repo: TaggingRepository, document_id: str, session: Any = None
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The head and the latest version's tagging; documents tagged before heads existed get one."""
    head = await repo.head(document_id, session)
    if head is not None:
        row = await repo.tagging(document_id, head["version"], session)
    else:
        row = await repo.latest(document_id, session)
        if row is not None:
            head = records.new_head(document_id)
            head.update(version=row["version"], content_hash=row["content_hash"],
                        catalogue_version=row["catalogue_version"], retagged_for=row["catalogue_version"])
    if head is None or row is None:
        return None
    return head, row


async def edit_tags(
    repo: TaggingRepository,
    outbox: Outbox,
    catalogue: Catalogue,
    document_id: str,
    edit: Edit,
    *,
    by: Principal,
    reason: str,
    action: str,
    now: datetime,
    suggested: str | None = None,
    attempts: int = 8,
) -> EditResult:
    """Apply an editor's ``edit`` (validated by the caller) to the latest version and publish the result.

    ``suggested``: the code must be among the current suggestions (accepting or dismissing one).
    """
    # Another writer changed the document meanwhile: read it again and redo the edit on what it wrote.
    try:
        return await retrying(
            lambda: _edit_once(repo, outbox, catalogue, document_id, edit, by=by, reason=reason,
                               action=action, now=now, suggested=suggested),
            attempts,
            retry_if=is_conflict,
        )
    except Exception as err:
        if is_conflict(err):
            raise ConcurrentChange(str(err)) from err
        raise


async def _edit_once(
    repo: TaggingRepository,
    outbox: Outbox,
    catalogue: Catalogue,
    document_id: str,
    edit: Edit,
    *,
    by: Principal,
    reason: str,
    action: str,
    now: datetime,
    suggested: str | None,
) -> EditResult:
    async with outbox.unit_of_work() as uow:
        state = await current_state(repo, document_id, uow.session)
        if state is None:
            raise NotTagged(document_id)
        head, row = state
        override = records.override_of(head)
        rule_tags, rule_suggestions, model = records.rule_of(row)
        before = effective(catalogue, rule_tags, rule_suggestions, override, model)
        if suggested is not None and suggested not in before.suggestion_codes():
            raise NotSuggested(suggested, sorted(before.suggestion_codes()))
        changed = apply_edit(override, edit, catalogue)
        if changed == override:
            return EditResult(records.tags_view(row, head), None, False)
        after = effective(catalogue, rule_tags, rule_suggestions, changed, model)
        head = {**head, "rev": head["rev"] + 1, "updated_at": now,
                "override": records.override_entries(head, changed, by=by.name, at=now, reason=reason)}
        row = records.with_effective(row, after, now)
        change = records.change_record(
            change_id=new_event_id(),
            document_id=document_id,
            version=row["version"],
            action=action,
            by=by.name,
            role=by.role,
            at=now,
            reason=reason,
            add=edit.add,
            remove=edit.remove,
            dismiss=edit.dismiss,
            before=before.codes(),
            after=after.codes(),
            catalogue_version=catalogue.version,
        )
        published = after.signature() != before.signature()
        if published:
            event = records.tagged_event(row, now)
            event_id = revision_event_id(document_id, row["version"], head["rev"])
            uow.emit(Outgoing.of(event, source=SOURCE, now=now, event_id=event_id))
        await repo.save([row], uow.session, heads=[head], changes=[change])
    return EditResult(records.tags_view(row, head), change, published)

"""Tagging's use case: tag each received version from the catalogue and say why."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.tagging.domain import TagAssignment, Tagger
from services.tagging.repository import TaggingRepository
from shared import events
from shared.messaging import Incoming
from shared.outbox import Outbox, Outgoing

SOURCE = "/govpub/tagging"


def tag_ref(tag: TagAssignment, source: str = "rule") -> events.TagRef:
    return events.TagRef(
        code=tag.code,
        dimension=tag.dimension,
        name_zh=tag.name_zh,
        name_en=tag.name_en,
        confidence=tag.confidence,
        source=source,
        evidence=[
            events.TagEvidence(term=e.term, field=e.field, start=e.start, end=e.end) for e in tag.evidence
        ],
    )


async def on_documents_received(
    repo: TaggingRepository,
    outbox: Outbox,
    tagger: Tagger,
    batch: list[Incoming[events.DocumentReceived]],
    *,
    consumer: str,
    now: datetime,
) -> None:
    async with outbox.unit_of_work(consumer) as uow:
        rows: list[dict[str, Any]] = []
        for message in await uow.fresh(batch):
            received = message.payload
            doc = received.document
            result = tagger.tag(doc.title, doc.body, doc.doc_type)
            event = events.DocumentTagged(
                document_id=received.document_id,
                version=received.version,
                content_hash=received.content_hash,
                catalogue_version=result.catalogue_version,
                tags=[tag_ref(t) for t in result.assigned],
                suggestions=[tag_ref(t) for t in result.suggestions],
                tagged_at=now,
            )
            rows.append(
                {
                    "_id": f"{received.document_id}:v{received.version}",
                    "document_id": received.document_id,
                    "version": received.version,
                    "content_hash": received.content_hash,
                    "title": doc.title,
                    "doc_type": doc.doc_type,
                    "catalogue_version": result.catalogue_version,
                    "tags": [t.model_dump() for t in event.tags],
                    "suggestions": [t.model_dump() for t in event.suggestions],
                    "tagged_at": now,
                }
            )
            uow.emit(Outgoing.of(event, source=SOURCE, now=now, cause=message), message)
        await repo.save(rows, uow.session)

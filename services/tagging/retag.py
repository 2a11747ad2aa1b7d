"""Re-tagging after a catalogue change: one page of documents per transaction.

Each document's latest version is tagged again from the text kept in tagging's database, the
editors' override is applied on top, and ``DocumentTagged`` is published only when the tags in
effect changed (with a ``retag`` entry in the document's history).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from services.tagging import records
from services.tagging.domain import TagAssignment, Tagger, TaggingResult
from services.tagging.domain.editing import effective
from services.tagging.handlers import SOURCE, Suggest, revision_event_id
from services.tagging.repository import TaggingRepository
from shared.envelope import new_event_id
from shared.outbox import Outbox, Outgoing


async def retag_page(
    repo: TaggingRepository,
    outbox: Outbox,
    tagger: Tagger,
    page: list[dict[str, Any]],
    *,
    suggest: Suggest,
    now: datetime,
) -> None:
    """Re-tag the documents of ``page`` (heads) with ``tagger``; heads changed meanwhile are left for later."""
    catalogue = tagger.catalogue
    version = catalogue.version
    keys = {h["_id"]: records.version_key(h["_id"], h["version"]) for h in page}
    texts = await repo.texts(keys.values())

    def tag_all() -> dict[str, tuple[TaggingResult, list[TagAssignment]]]:
        results = {}
        for document_id, key in keys.items():
            text = texts.get(key)
            if text is not None:
                result = tagger.tag(text["title"], text["body"], text.get("doc_type"))
                model = [s for s in suggest(text["title"], text["body"]) if catalogue.get(s.code)]
                results[document_id] = (result, model)
        return results

    # Matching is CPU work (milliseconds a document): off the event loop, so the API stays responsive.
    results = await asyncio.to_thread(tag_all)
    async with outbox.unit_of_work() as uow:
        heads = await repo.heads(keys, uow.session)
        rows = await repo.taggings(keys.values(), uow.session)
        new_rows: list[dict[str, Any]] = []
        new_heads: list[dict[str, Any]] = []
        changes: list[dict[str, Any]] = []
        done = changed = skipped = 0
        for seen in page:
            head = heads.get(seen["_id"])
            if head is None or head["rev"] != seen["rev"] or head.get("retagged_for", 0) >= version:
                continue  # changed since the page was read: the next page query sees it again
            head = {**head, "rev": head["rev"] + 1, "retagged_for": version, "updated_at": now}
            new_heads.append(head)
            done += 1
            row = rows.get(keys[head["_id"]])
            if head["_id"] not in results or row is None:
                skipped += 1  # tagged before texts were kept: nothing to re-tag from
                continue
            result, model = results[head["_id"]]
            head["catalogue_version"] = result.catalogue_version
            in_effect = effective(catalogue, result.assigned, result.suggestions, records.override_of(head), model)
            new_row = records.tagging_row(
                document_id=row["document_id"], version=row["version"], content_hash=row["content_hash"],
                catalogue_version=result.catalogue_version, rule_tags=result.assigned,
                rule_suggestions=result.suggestions, model_suggestions=model, effective=in_effect,
                tagged_at=now, title=row.get("title", ""), doc_type=row.get("doc_type"),
            )
            new_rows.append(new_row)
            before, after = records.row_codes(row), in_effect.codes()
            if before == after:
                continue
            changed += 1
            event_id = revision_event_id(row["document_id"], row["version"], head["rev"])
            uow.emit(Outgoing.of(records.tagged_event(new_row, now), source=SOURCE, now=now, event_id=event_id))
            changes.append(
                records.change_record(
                    change_id=new_event_id(), document_id=row["document_id"], version=row["version"],
                    action="retag", by="catalogue", role="system", at=now,
                    reason=f"catalogue version {version}", before=before, after=after, catalogue_version=version,
                )
            )
        await repo.save(new_rows, uow.session, heads=new_heads, changes=changes)
        await repo.progress(version, {"updated_at": now}, uow.session, done=done, changed=changed, skipped=skipped)

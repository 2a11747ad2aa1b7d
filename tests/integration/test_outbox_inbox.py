"""The transactional outbox and the idempotent inbox, against the real embedded broker and database."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from pymongo import AsyncMongoClient

from govpub.stack import Stack
from shared import events
from shared.envelope import Envelope
from shared.messaging import Incoming, make_broker
from shared.outbox import Outbox, Outgoing, ensure_indexes
from shared.settings import CommonSettings
from tests.e2e.test_kafka_input import read_topic

pytestmark = pytest.mark.stack
AT = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture
async def outbox(stack: Stack) -> AsyncIterator[Outbox]:
    client: AsyncMongoClient = AsyncMongoClient(stack.config.mongo, tz_aware=True)  # type: ignore[type-arg]
    db = client[f"test_outbox_{uuid.uuid4().hex[:8]}"]
    await ensure_indexes(db)
    broker = make_broker(CommonSettings(kafka_bootstrap=stack.config.bootstrap), "test-outbox")
    await broker.start()
    yield Outbox(client, db, broker)
    await broker.stop()
    await client.close()


def incoming(event_id: str) -> Incoming[events.WithdrawalRequested]:
    payload = events.WithdrawalRequested(document_id="doc-1", reason="test", withdrawn_at=AT)
    return Incoming(Envelope(event_id, payload.TYPE, "/test", "doc-1", AT, event_id), payload, "t", 0, 0)


async def test_redelivered_event_changes_nothing_but_re_emits_the_same_event(outbox: Outbox, stack: Stack) -> None:
    message = incoming(str(uuid.uuid4()))
    marker = uuid.uuid4().hex
    rejected = events.DocumentRejected(document_id=marker, source_system="oa", source_id=marker, problems=[],
                                       rejected_at=AT)

    for _ in range(2):
        async with outbox.unit_of_work("test-consumer") as uow:
            for fresh in await uow.fresh([message]):
                await outbox.db.state.insert_one({"handled": fresh.envelope.id}, session=uow.session)
                uow.emit(Outgoing.of(rejected, source="/test", now=AT, cause=fresh), fresh)
        assert await outbox.relay_once() == 1

    assert await outbox.db.state.count_documents({}) == 1
    assert await outbox.db.outbox.count_documents({}) == 1
    first = await read_topic(stack.config.bootstrap, rejected.TOPIC, lambda r: marker.encode() in r["value"])
    assert first["headers"]["ce_causationid"] == message.envelope.id


async def test_state_and_event_commit_together_or_not_at_all(outbox: Outbox) -> None:
    rejected = events.DocumentRejected(document_id="d", source_system="oa", source_id="x", problems=[],
                                       rejected_at=AT)
    with pytest.raises(RuntimeError):
        async with outbox.unit_of_work() as uow:
            await outbox.db.state.insert_one({"doomed": True}, session=uow.session)
            uow.emit(Outgoing.of(rejected, source="/test", now=AT))
            raise RuntimeError("crash before commit")
    assert await outbox.db.state.count_documents({"doomed": True}) == 0
    assert await outbox.db.outbox.count_documents({}) == 0

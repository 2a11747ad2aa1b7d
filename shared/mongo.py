"""MongoDB through PyMongo's async API (Motor's official successor)."""

from __future__ import annotations

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from shared.settings import CommonSettings


def make_client(settings: CommonSettings, app_name: str) -> AsyncMongoClient[dict]:  # type: ignore[type-arg]
    return AsyncMongoClient(
        settings.mongo_url,
        appname=app_name,
        tz_aware=True,
        serverSelectionTimeoutMS=5000,
        retryWrites=True,
    )


async def ping(db: AsyncDatabase) -> bool:  # type: ignore[type-arg]
    try:
        await db.command("ping")
        return True
    except Exception:
        return False

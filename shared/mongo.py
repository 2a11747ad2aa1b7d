"""MongoDB through PyMongo's async API (Motor's official successor)."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bson import json_util
from pymongo import AsyncMongoClient, monitoring
from pymongo.asynchronous.database import AsyncDatabase

from shared.settings import CommonSettings


def make_client(settings: CommonSettings, app_name: str) -> AsyncMongoClient[dict]:
    listeners = [QueryRecorder(settings.record_queries_path, app_name)] if settings.record_queries_path else []
    return AsyncMongoClient(
        settings.mongo_url,
        appname=app_name,
        tz_aware=True,
        serverSelectionTimeoutMS=5000,
        retryWrites=True,
        event_listeners=listeners,
    )


async def ping(db: AsyncDatabase) -> bool:
    try:
        await db.command("ping")
        return True
    except Exception:
        return False


def query_shapes(command_name: str, command: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The filters (and sorts) a command selects documents with, each ready to be explained as a find."""
    if command_name == "find":
        return [{"filter": command.get("filter", {}), "sort": command.get("sort")}]
    if command_name in ("count", "distinct"):
        return [{"filter": command.get("query") or {}, "sort": None}]
    if command_name == "findAndModify":
        return [{"filter": command.get("query") or {}, "sort": command.get("sort")}]
    if command_name == "update":
        return [{"filter": u.get("q", {}), "sort": None} for u in command.get("updates", [])]
    if command_name == "delete":
        return [{"filter": d.get("q", {}), "sort": None} for d in command.get("deletes", [])]
    if command_name == "aggregate":
        pipeline = command.get("pipeline") or []
        first = pipeline[0] if pipeline else {}
        match = first.get("$match") if isinstance(first, dict) else None
        sort = pipeline[1].get("$sort") if match is not None and len(pipeline) > 1 else first.get("$sort")
        return [{"filter": match or {}, "sort": sort}]
    return []


class QueryRecorder(monitoring.CommandListener):
    """Appends every query's collection, filter and sort to a JSON-lines file, for the index test.

    Off unless ``GOVPUB_RECORD_QUERIES_PATH`` is set; never in production (filters hold ids and hashes).
    """

    def __init__(self, path: Path, app_name: str) -> None:
        self.path = path
        self.app_name = app_name
        self._lock = threading.Lock()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        shapes = query_shapes(event.command_name, event.command)
        if not shapes:
            return
        collection = event.command.get(event.command_name)
        lines = [
            json_util.dumps({"app": self.app_name, "db": event.database_name, "collection": collection,
                             "command": event.command_name, **shape})
            for shape in shapes
        ]
        with self._lock, self.path.open("a", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

"""The catalogue in force: loaded at start-up, published by editors, and every document re-tagged after.

Versions are persisted in tagging's ``catalogues`` collection. At start-up the service takes the
highest version among the persisted ones and the file (``GOVPUB_TAGGING_CATALOGUE_PATH`` or the
bundled ``catalogue.yaml``): a deployed file with a higher version is published like any other.

A re-tag job per catalogue version walks the heads not yet re-tagged for it (``retagged_for``),
a page per transaction (``retag``), and publishes ``DocumentTagged`` only where the tags in effect changed.
The editors' override is applied on top, so their decisions survive. Progress is kept in
``retag_jobs``; a job interrupted by a restart resumes where it stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from services.tagging.domain import (
    DEFAULT_CATALOGUE_PATH,
    Catalogue,
    CatalogueError,
    Tagger,
    load_catalogue,
)
from services.tagging.domain.publishing import (
    CatalogueProblem,
    CatalogueRejected,
    check_successor,
    code_changes,
    parse_catalogue,
    same_rules,
)
from services.tagging.handlers import Suggest, no_suggestions
from services.tagging.repository import TaggingRepository, is_conflict
from services.tagging.retag import retag_page
from shared.logging import get_logger
from shared.outbox import Outbox

log = get_logger(__name__)
Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _newest(persisted: Catalogue | None, from_file: Catalogue | None) -> Catalogue:
    """The persisted version unless the file carries a higher one (a deployed catalogue file)."""
    if persisted is not None and (from_file is None or persisted.version >= from_file.version):
        return persisted
    assert from_file is not None
    return from_file


@dataclass(frozen=True)
class InForce:
    catalogue: Catalogue
    tagger: Tagger


class Catalogues:
    """Holds the catalogue in force and its tagger, publishes new versions and runs re-tag jobs."""

    def __init__(
        self,
        repository: Callable[[], TaggingRepository],
        outbox: Callable[[], Outbox],
        *,
        file: Path | None,
        page_size: int = 100,
        refresh_s: float = 10.0,
        suggest: Callable[[], Suggest] = lambda: no_suggestions,
        clock: Clock = _utcnow,
    ) -> None:
        self._repository = repository
        self._outbox = outbox
        self._file = file or DEFAULT_CATALOGUE_PATH
        self._page_size = page_size
        self._refresh_s = refresh_s
        self._suggest = suggest
        self._clock = clock
        self._published: Catalogue | None = None
        self._in_force: InForce | None = None
        self._job: asyncio.Task[None] | None = None
        self._job_version = 0
        self._watch: asyncio.Task[None] | None = None
        self._publishing = asyncio.Lock()

    # ---- what the rest of the service reads

    @property
    def catalogue(self) -> Catalogue:
        """The latest published catalogue: what the API shows and editors' codes are checked against."""
        assert self._published is not None, "the catalogue is not loaded yet"
        return self._published

    @property
    def tagger(self) -> Tagger:
        """The tagger in force; it catches up with ``catalogue`` once a new version's tagger is built."""
        assert self._in_force is not None, "the catalogue is not loaded yet"
        return self._in_force.tagger

    # ---- lifecycle

    async def start(self) -> None:
        """Load the catalogue in force, resume an unfinished re-tag, and watch for newer versions."""
        repo = self._repository()
        stored = await repo.latest_catalogue()
        persisted: Catalogue | None = None
        if stored is not None:
            try:
                persisted = parse_catalogue(stored["text"], stored["media_type"])
            except CatalogueRejected as err:  # a stored version that no longer validates: say so, use the file
                log.error("persisted catalogue is invalid; using the file", version=stored["_id"], error=str(err))
        try:
            from_file: Catalogue | None = load_catalogue(self._file)
        except CatalogueError:
            if persisted is None:
                raise
            log.exception("catalogue file is invalid; using the persisted version", version=persisted.version)
            from_file = None
        chosen = _newest(persisted, from_file)
        if from_file is not None and persisted is not None and from_file.version == persisted.version:
            if not same_rules(from_file, persisted):
                log.warning("catalogue file differs from the published version with its number; bump its version",
                            version=from_file.version)
        if chosen is from_file and (stored is None or chosen.version > stored["_id"]):
            text = self._file.read_text(encoding="utf-8")
            await repo.add_catalogue(self._catalogue_row(chosen, text, "application/yaml", "file", None))
        self._in_force = InForce(chosen, await asyncio.to_thread(Tagger, chosen))
        self._published = chosen
        log.info("catalogue loaded", version=chosen.version)
        await self._catch_up()
        self._watch = asyncio.create_task(self._watch_loop(), name="catalogue-watch")

    async def stop(self) -> None:
        for task in (self._watch, self._job):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    # ---- publishing a version

    async def publish(self, text: str, media_type: str, *, by: str) -> dict[str, Any]:
        """Validate and persist a new version, then put it in force and re-tag in the background.

        Raises ``CatalogueRejected`` naming every problem; publishing the latest version again
        with the same rules is a no-op (``status: unchanged``).
        """
        new = parse_catalogue(text, media_type)
        async with self._publishing:
            current = self.catalogue
            if new.version == current.version and same_rules(new, current):
                return {"status": "unchanged", "version": current.version}
            problems = check_successor(current, new)
            if problems:
                raise CatalogueRejected(problems)
            stored = await self._repository().add_catalogue(self._catalogue_row(new, text, media_type, "api", by))
            if not stored:
                raise CatalogueRejected(
                    [CatalogueProblem("version", f"version {new.version} was published meanwhile",
                                      f"set version to {new.version + 1}")]
                )
            self._published = new
            log.info("catalogue published", version=new.version, by=by)
            await self._start_job(new.version, started_by=by)
        return {
            "status": "published",
            "version": new.version,
            "previous_version": current.version,
            "codes": code_changes(current, new),
            "retag": "/v1/catalog/retag",
        }

    async def _put_in_force(self, catalogue: Catalogue) -> InForce:
        """Build the catalogue's tagger (jieba's dictionary: seconds, off the event loop) and use it."""
        in_force = self._in_force
        if in_force is None or in_force.catalogue.version != catalogue.version:
            in_force = InForce(catalogue, await asyncio.to_thread(Tagger, catalogue))
            if self.catalogue.version == catalogue.version:
                self._in_force = in_force
                log.info("catalogue in force", version=catalogue.version)
        return in_force

    def _catalogue_row(
        self, catalogue: Catalogue, text: str, media_type: str, origin: str, by: str | None
    ) -> dict[str, Any]:
        return {
            "_id": catalogue.version,
            "text": text,
            "media_type": media_type,
            "sha256": hashlib.sha256(text.encode()).hexdigest(),
            "origin": origin,
            "published_by": by,
            "published_at": self._clock(),
        }

    # ---- re-tagging

    async def progress(self, version: int | None = None) -> dict[str, Any] | None:
        repo = self._repository()
        job = await (repo.job(version) if version is not None else repo.latest_job())
        if job is None:
            return None
        return {
            "catalogue_version": job["_id"],
            "status": job["status"],
            "total": max(job["total"], job["done"]),
            "done": job["done"],
            "changed": job["changed"],
            "skipped": job.get("skipped", 0),
            "started_at": job["started_at"],
            "finished_at": job.get("finished_at"),
        }

    async def _catch_up(self) -> None:
        """Start (or resume) re-tagging when documents are behind the catalogue in force."""
        if self._job is not None and not self._job.done():
            return
        version = self.catalogue.version
        if await self._repository().count_behind(version):
            await self._start_job(version, started_by=None)

    async def _start_job(self, version: int, *, started_by: str | None) -> None:
        repo = self._repository()
        now = self._clock()
        if self._job is not None and not self._job.done():
            self._job.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._job
            if self._job_version != version:
                await repo.progress(self._job_version, {"status": "superseded", "finished_at": now})
        behind = await repo.count_behind(version)
        job = await repo.job(version)
        if job is None:
            job = {"_id": version, "total": behind, "done": 0, "changed": 0, "skipped": 0,
                   "started_at": now, "started_by": started_by}
        elif job["status"] != "done" or behind:
            # Resumed after a restart, or documents fell behind after it finished (an older replica tagged them).
            job["total"] = job["done"] + behind
            job.pop("finished_at", None)
        if job.get("finished_at") is None:
            job.update(status="running", updated_at=now)
            await repo.put_job(job)
        self._job_version = version
        self._job = asyncio.create_task(self._run_job(self.catalogue), name=f"retag-v{version}")

    async def _run_job(self, catalogue: Catalogue) -> None:
        repo = self._repository()
        version = catalogue.version
        in_force = await self._put_in_force(catalogue)
        failures = 0
        while True:
            if self.catalogue.version != version:
                await repo.progress(version, {"status": "superseded", "finished_at": self._clock()})
                return
            page = await repo.behind(version, self._page_size)
            if not page:
                job = await repo.job(version)
                if job is not None and job["status"] != "done":
                    await repo.progress(version, {"status": "done", "finished_at": self._clock()})
                    log.info("re-tag finished", catalogue_version=version, done=job["done"], changed=job["changed"])
                return
            try:
                await retag_page(self._repository(), self._outbox(), in_force.tagger, page,
                                 suggest=self._suggest(), now=self._clock())
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as err:
                failures += 1
                if not is_conflict(err):
                    log.exception("re-tag page failed; retrying", catalogue_version=version, failures=failures)
                await asyncio.sleep(min(30.0, 0.05 * 2**failures))

    # ---- other replicas

    async def _watch_loop(self) -> None:
        """Take up versions another replica published, and re-tag documents that fell behind."""
        while True:
            await asyncio.sleep(self._refresh_s)
            try:
                await self._refresh()
                await self._catch_up()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("catalogue refresh failed; will retry")

    async def _refresh(self) -> None:
        stored = await self._repository().latest_catalogue()
        if stored is None or stored["_id"] <= self.catalogue.version:
            return
        async with self._publishing:
            if stored["_id"] <= self.catalogue.version:
                return
            self._published = parse_catalogue(stored["text"], stored["media_type"])
            log.info("catalogue taken up", version=self._published.version)
            await self._start_job(self._published.version, started_by=None)

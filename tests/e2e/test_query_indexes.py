"""Every query the services send is answered from an index (checked with explain).

The session stack records the shape of every database command its services send
(``GOVPUB_RECORD_QUERIES_PATH``, see shared/mongo.QueryRecorder). This test drives documents through
every stage and the read APIs, then explains each distinct query the services sent and fails on a
collection scan: a scan is harmless on an empty test database and a stall on a city's archive.

SecantusDB's explain only plans an index when the index covers every field of the filter, while its
executor also uses an index that covers a leading part of it (measured at 20,000 documents: a filter
on an indexed ``document_id`` plus an unindexed ``action`` takes 7.6 ms, a true scan 1.2 s; explain
reports COLLSCAN for both). So a query counts as indexed when explain says so, or when an index's
first field is constrained by the filter (``_id`` included), which is also when mongod would use it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bson import json_util
from pymongo import MongoClient

from govpub.stack import Stack
from tests.conftest import Api, sample, wait_until

pytestmark = pytest.mark.stack

# Scans that are right, each with its reason. Keyed by (database suffix, collection).
SCANS_ALLOWED = {
    ("tagging", "catalog_versions"): "a handful of catalogue versions, read whole",
}


def stages(plan: dict[str, Any]) -> Iterator[str]:
    yield plan.get("stage", "")
    for key in ("inputStage", "outerStage", "innerStage"):
        if isinstance(plan.get(key), dict):
            yield from stages(plan[key])
    for child in plan.get("inputStages", []):
        yield from stages(child)


def constrained(filter_: dict[str, Any]) -> set[str]:
    """Top-level fields the filter narrows in a way an index can seek on (not ``$ne``, ``$nin``, ``$exists``)."""
    unseekable = {"$ne", "$nin", "$exists", "$not"}
    return {field for field, condition in filter_.items()
            if not field.startswith("$") and not (isinstance(condition, dict) and set(condition) & unseekable)}


def shape(value: Any) -> Any:
    """A filter with its values blanked: queries differing only in values are explained once."""
    if isinstance(value, dict):
        return {k: shape(v) if k.startswith("$") or isinstance(v, dict) else "?" for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value[:1]]
    return "?"


def recorded(path: Path) -> dict[str, dict[str, Any]]:
    """Distinct (database, collection, filter shape, sort) → one recorded example."""
    queries: dict[str, dict[str, Any]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        query = json_util.loads(line)
        if not query["filter"] or query["collection"] in (None, 1) or query["db"] in ("admin", "config", "local"):
            continue  # whole-collection reads are deliberate (start-up, exports) and admin commands have none
        key = json.dumps([query["db"], query["collection"], shape(query["filter"]), query.get("sort")],
                         sort_keys=True, default=str)
        queries.setdefault(key, query)
    return queries


def drive_everything(api: Api) -> None:
    """A public notice, a policy with its interpretation, a targeted notice and a withdrawal, read back."""
    ids = []
    for name in ("01-patent-pledge-notice.json", "02-trademark-enforcement-with-personal-data.json",
                 "06-targeted-park-notice.json"):
        document = sample(name)
        document["source_id"] = f"{document['source_id']}-{uuid.uuid4().hex[:8]}"
        response = api.submit(document)
        assert response.status_code == 202, response.text
        ids.append(response.json()["document_id"])
    public = ids[0]
    wait_until(lambda: api.delivered(public, 2), timeout=60, what="the public notice delivered")
    api.search(q="专利质押融资")
    api.search(q="沪知局[2024]7号", year="2024")
    for service, path in (("publication", f"/documents/{public}"), ("publication", "/"),
                          ("publication", "/feed.atom"), ("console", f"/documents/{public}")):
        api.client.get(f"{api.url(service)}{path}")
    wait_until(lambda: api.library_entry(ids[1]).status_code == 200, timeout=60, what="the second notice released")
    withdrawn = api.client.delete(f"{api.url('intake')}/v1/documents/{ids[1]}", params={"reason": "政策调整"})
    assert withdrawn.status_code == 202, withdrawn.text
    tombstone = f"{api.url('publication')}/documents/{ids[1]}"
    wait_until(lambda: api.client.get(tombstone).status_code == 410, timeout=90, what="the withdrawal published")


def scanned(client: MongoClient[dict[str, Any]], query: dict[str, Any]) -> bool:
    """Whether neither explain nor any index's leading field can answer the query without a scan."""
    command = {"find": query["collection"], "filter": query["filter"]}
    if query.get("sort"):
        command["sort"] = query["sort"]
    plan = client[query["db"]].command({"explain": command, "verbosity": "queryPlanner"})
    if "COLLSCAN" not in set(stages(plan["queryPlanner"]["winningPlan"])):
        return False
    indexes = client[query["db"]][query["collection"]].index_information()
    return not constrained(query["filter"]) & {spec["key"][0][0] for spec in indexes.values()}


def test_every_query_the_services_send_uses_an_index(api: Api, stack: Stack) -> None:
    path = stack.config.data_dir / "queries.jsonl"
    drive_everything(api)
    assert path.exists(), "the services recorded no queries: is GOVPUB_RECORD_QUERIES_PATH set by the stack fixture?"

    queries = recorded(path)
    client: MongoClient[dict[str, Any]]
    with MongoClient(stack.config.mongo) as client:
        assert scanned(client, {"db": "govpub_distribution", "collection": "deliveries", "filter": {"no_such": 1}}), \
            "the check itself cannot see a collection scan"
        scans = [
            f"{q['app']} {q['command']} {q['db']}.{q['collection']} "
            f"{json.dumps(shape(q['filter']), ensure_ascii=False)} sort={q.get('sort')}"
            for q in queries.values()
            if (q["db"].removeprefix("govpub_"), q["collection"]) not in SCANS_ALLOWED and scanned(client, q)
        ]
    assert len(queries) > 20, f"only {len(queries)} distinct queries recorded"
    assert not scans, "queries answered by a collection scan:\n" + "\n".join(sorted(scans))

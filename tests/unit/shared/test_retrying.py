"""shared.outbox.retrying: which errors run an operation again, and how often."""

from __future__ import annotations

import pytest
from pymongo.errors import OperationFailure, PyMongoError

from shared.outbox import retrying


class Flaky:
    """Fails with the given errors in turn, then answers "done"."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


def transient() -> PyMongoError:
    return PyMongoError("write conflict", error_labels=["TransientTransactionError"])


class Stale(Exception):
    """A service's own optimistic check lost a race."""


async def test_a_transient_error_runs_the_operation_again() -> None:
    operation = Flaky(transient(), transient())
    assert await retrying(operation) == "done"
    assert operation.calls == 3


async def test_any_other_error_is_raised_at_once() -> None:
    operation = Flaky(OperationFailure("bad filter", code=2), transient())
    with pytest.raises(OperationFailure, match="bad filter"):
        await retrying(operation)
    assert operation.calls == 1


async def test_the_last_error_is_raised_when_the_attempts_run_out() -> None:
    operation = Flaky(*(transient() for _ in range(3)))
    with pytest.raises(PyMongoError, match="write conflict"):
        await retrying(operation, 3)
    assert operation.calls == 3


async def test_a_service_can_name_the_errors_worth_retrying() -> None:
    def stale(exc: BaseException) -> bool:
        return isinstance(exc, Stale)

    operation = Flaky(Stale("rev 3 moved"), Stale("rev 4 moved"))
    assert await retrying(operation, retry_if=stale) == "done"
    assert operation.calls == 3
    # ... and only those: a transient database error is not retried under that test.
    operation = Flaky(transient())
    with pytest.raises(PyMongoError):
        await retrying(operation, retry_if=stale)
    assert operation.calls == 1

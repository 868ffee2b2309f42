"""The examples in the SQL store's docstrings run (on in-memory SQLite) and hold."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from hotline.store.sql import (
    accounts,
    audit,
    database,
    directory,
    errors,
    eventlog,
    history,
    idempotency_keys,
    records,
    verification_attempts,
)


@pytest.mark.parametrize("module", [database, errors, records, directory, eventlog, accounts,
                                    audit, history, idempotency_keys, verification_attempts],
                         ids=lambda m: m.__name__)
def test_docstring_examples(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0

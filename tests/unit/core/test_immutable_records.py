"""Commands and events are keyword-only dataclasses whose fields are ``Final``: read-only to
the type checker (mypy --strict runs on all of src/), and compiled by mypyc to native classes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from mypy import api

from hotline.core import commands, events

SRC = Path(__file__).resolve().parents[3] / "src"


def test_records_are_keyword_only_dataclasses() -> None:
    assert dataclasses.is_dataclass(events.ContactQueued)
    with pytest.raises(TypeError):
        events.WakeUpRequested(1.0, "k", 2.0)  # type: ignore[misc]
    with pytest.raises(TypeError):
        commands.EndContact("c1")  # type: ignore[misc]


def test_mypy_refuses_to_change_an_event_or_a_command(tmp_path: Path) -> None:
    snippet = tmp_path / "mutate.py"
    snippet.write_text(
        "from hotline.core.events import WakeUpRequested\n"
        "from hotline.core.commands import EndContact\n"
        "e = WakeUpRequested(at=1.0, key='k', due=2.0)\n"
        "e.due = 3.0\n"
        "c = EndContact(contact_id='c1')\n"
        "c.contact_id = 'c2'\n", "utf-8")
    out, _err, status = api.run(["--strict", "--no-incremental", "--cache-dir=/dev/null",
                                 "--python-executable", "", str(snippet)])
    assert status == 1
    assert 'mutate.py:4: error: Cannot assign to final attribute "due"' in out
    assert 'mutate.py:6: error: Cannot assign to final attribute "contact_id"' in out

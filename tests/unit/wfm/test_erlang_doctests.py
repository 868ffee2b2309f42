"""The small examples in the Erlang and staffing docstrings run and hold."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "erlang", "erlang_a", "erlang_b", "erlang_c", "erlang_gamma", "service_level",
    "staffing", "staffing_fractional", "staffing_sqrt", "staffing_targets",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(f"hotline.wfm.{name}")
    result = doctest.testmod(module)
    assert result.failed == 0
    assert result.attempted > 0

"""Design §1: pure packages import nothing from the shell, nor I/O, nor the wall clock."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "hotline"
PURE = ["core", "ivr", "outbound", "metrics", "wfm", "quality", "banking"]
FORBIDDEN_MODULES = {
    "asyncio", "sqlite3", "sqlalchemy", "socket", "http", "urllib", "requests", "httpx",
    "fastapi", "starlette", "uvicorn", "aiosmtpd", "smtplib", "imaplib", "nats", "time",
    "threading", "subprocess", "multiprocessing",
}
SHELL_PACKAGES = {"store", "web", "bus", "channels", "sim", "cli", "bootstrap", "bootstrap_ivr",
                  "live"}
CLOCK_CALLS = {"now", "utcnow", "today"}


def violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] in FORBIDDEN_MODULES:
                found.append(f"{path.name}:{node.lineno} imports {name}")
            if parts[0] == "hotline" and len(parts) > 1 and parts[1] in SHELL_PACKAGES:
                found.append(f"{path.name}:{node.lineno} imports shell package {name}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in CLOCK_CALLS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in {"datetime", "date"}
        ):
            found.append(f"{path.name}:{node.lineno} reads the wall clock ({node.func.attr})")
    return found


def pure_files() -> list[Path]:
    return sorted(p for pkg in PURE for p in (SRC / pkg).rglob("*.py") if (SRC / pkg).exists())


@pytest.mark.parametrize("path", pure_files(), ids=lambda p: str(p.relative_to(SRC)))
def test_pure_module_imports_no_io(path: Path) -> None:
    assert violations(path) == []


def test_rule_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import asyncio\nfrom hotline.store import log\nfrom datetime import datetime\n"
        "x = datetime.now()\n"
    )
    assert violations(bad) == [
        "bad.py:1 imports asyncio",
        "bad.py:2 imports shell package hotline.store",
        "bad.py:4 reads the wall clock (now)",
    ]


def test_core_package_exists() -> None:
    assert pure_files(), "no pure modules found"

"""Reading people's CSV files: rows numbered as in a spreadsheet, errors naming file, row,
field and reason."""

from __future__ import annotations

import csv
from datetime import datetime, tzinfo
from pathlib import Path


class InputError(Exception):
    """Bad input file or option; the message names the file, row, field and reason."""


def read_rows(path: Path, *, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a UTF-8 CSV with a header, as (row number counting the header as 1, values)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            fields = [name.strip() for name in reader.fieldnames or []]
            missing = [name for name in required if name not in fields]
            if missing:
                raise InputError(
                    f"{path}: missing column(s) {', '.join(missing)} "
                    f"(found: {', '.join(fields) or 'none'})"
                )
            reader.fieldnames = fields
            return [
                (number, {k: (v or "").strip() for k, v in row.items() if k is not None})
                for number, row in enumerate(reader, start=2)
            ]
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: is not UTF-8 text") from None


def parse_timestamp(path: Path, row: int, text: str, zone: tzinfo,
                    field: str = "interval_start") -> datetime:
    """An ISO 8601 time; a naive one is read in ``zone``."""
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"{path} row {row}, field '{field}': {text!r} is not an ISO 8601 timestamp"
        ) from None
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=zone)

"""JSON for the sandbox bank's records: its events, audit records and the agent desk's state.

The codec follows each dataclass's type hints, so every field is checked on the way in and out
(a wrong type, a naive datetime, an unknown enum value or key raises ``BankCodecError`` naming
the type and the field). A field that holds one of several dataclasses (an approval request's
operation) carries its class name under ``"type"``. Card numbers, names and PIN hashes are
written as they are: these rows are the bank's core data; nothing here logs them.

>>> from datetime import UTC, datetime
>>> from hotline.banking.events import HoldReleased
>>> kind, text = encode_event(HoldReleased(hold_id="H1", at=datetime(2026, 1, 1, tzinfo=UTC)))
>>> kind, text
('HoldReleased', '{"hold_id":"H1","at":"2026-01-01T00:00:00+00:00"}')
>>> decode_event(kind, text).hold_id
'H1'
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Callable
from dataclasses import MISSING, fields, is_dataclass
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar, get_args, get_origin

from hotline.banking.approvals import ApprovalRequest
from hotline.banking.audit import AuditRecord
from hotline.banking.events import (
    AccountOpened,
    BankEvent,
    CardIssued,
    CardReplaced,
    CardStatusChanged,
    CustomerEnrolled,
    HoldPlaced,
    HoldReleased,
    MoneyMoved,
    PinChanged,
)
from hotline.banking.receipts import Receipt
from hotline.banking.verification import Verification
from hotline.store.errors import StoreError

T = TypeVar("T")
Codec = Callable[[Any], Any]

EVENT_TYPES: dict[str, type[Any]] = {cls.__name__: cls for cls in (
    CustomerEnrolled, AccountOpened, CardIssued, PinChanged, CardStatusChanged, CardReplaced,
    HoldPlaced, HoldReleased, MoneyMoved)}
#: Records of the desk's state, by the ``kind`` they are stored under.
DESK_TYPES: dict[str, type[Any]] = {"verification": Verification, "request": ApprovalRequest,
                                    "receipt": Receipt}

# Built once per type, on first use.
_ENCODERS: dict[Any, Codec] = {}
_DECODERS: dict[Any, Codec] = {}
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class BankCodecError(StoreError):
    """A bank record cannot be written as JSON or read back; names the type and the field."""

    error_id = "bank_codec"

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class _Bad(Exception):
    """A leaf's complaint; each enclosing field adds its name on the way out."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(reason)
        self.path = path
        self.reason = reason

    def under(self, name: str) -> _Bad:
        return _Bad(f"{name}.{self.path}" if self.path else name, self.reason)


# --- the public functions ------------------------------------------------------------------------
def encode_event(event: BankEvent) -> tuple[str, str]:
    """``(type name, JSON text)`` of a bank event; an unknown type is refused by name."""
    name = type(event).__name__
    if EVENT_TYPES.get(name) is not type(event):
        raise BankCodecError("type", f"{name} is not a bank event type "
                             f"(known: {', '.join(EVENT_TYPES)})")
    return name, dump(event)


def decode_event(name: str, text: str) -> BankEvent:
    cls = EVENT_TYPES.get(name)
    if cls is None:
        raise BankCodecError("type", f"unknown bank event type {name!r}")
    event: BankEvent = load(cls, text)
    return event


def dump(value: object) -> str:
    """The JSON text of a dataclass record (`AuditRecord`, an event, a desk record)."""
    cls = type(value)
    try:
        return str(_dumps(_encoder(cls)(value)))
    except _Bad as bad:
        raise BankCodecError(f"{cls.__name__}.{bad.path}", bad.reason) from None


def load(cls: type[T], text: str) -> T:
    """Read back a record of ``cls`` from ``dump``'s text."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise BankCodecError(cls.__name__, f"not JSON ({exc})") from None
    try:
        value: T = _decoder(cls)(data)
    except _Bad as bad:
        raise BankCodecError(f"{cls.__name__}.{bad.path}" if bad.path else cls.__name__,
                             bad.reason) from None
    return value


def dump_audit(record: AuditRecord) -> str:
    return dump(record)


def load_audit(text: str) -> AuditRecord:
    return load(AuditRecord, text)


# --- encoders and decoders, built once per type --------------------------------------------------
def _members(tp: Any) -> tuple[Any, ...] | None:
    """The members of a union type (``A | B``, ``Optional[A]``), else None."""
    if get_origin(tp) in (typing.Union, types.UnionType):
        return get_args(tp)
    return None


def _leaf(kind: type[Any]) -> Codec:
    if kind is str:
        def text(value: Any) -> Any:
            if not isinstance(value, str):
                raise _Bad("", f"must be str, got {type(value).__name__}")
            return str(value)  # a StrEnum in a str field is written as its value
        return text

    def check(value: Any) -> Any:
        if type(value) is not kind:  # bool is not an int here, nor an int a bool
            raise _Bad("", f"must be {kind.__name__}, got {type(value).__name__}")
        return value
    return check


def _encoder(tp: Any) -> Codec:
    found = _ENCODERS.get(tp)
    if found is None:
        found = _ENCODERS[tp] = _build_encoder(tp)
    return found


def _decoder(tp: Any) -> Codec:
    found = _DECODERS.get(tp)
    if found is None:
        found = _DECODERS[tp] = _build_decoder(tp)
    return found


def _build_encoder(tp: Any) -> Codec:
    if tp in (str, int, bool):
        return _leaf(tp)
    if tp is datetime:
        def moment(value: Any) -> Any:
            if not isinstance(value, datetime) or value.utcoffset() is None:
                raise _Bad("", f"must be an aware datetime, got {value!r}")
            return value.isoformat()
        return moment
    if isinstance(tp, type) and issubclass(tp, Enum):
        enum = tp

        def member(value: Any) -> Any:
            if not isinstance(value, enum):
                raise _Bad("", f"must be a {enum.__name__}, got {value!r}")
            return value.value
        return member
    if isinstance(tp, type) and is_dataclass(tp):
        return _record_encoder(tp)
    if get_origin(tp) is tuple and len(get_args(tp)) == 2 and get_args(tp)[1] is Ellipsis:
        item = _encoder(get_args(tp)[0])

        def items(value: Any) -> Any:
            if not isinstance(value, tuple):
                raise _Bad("", f"must be a tuple, got {type(value).__name__}")
            out = []
            for i, v in enumerate(value):
                try:
                    out.append(item(v))
                except _Bad as bad:
                    raise bad.under(str(i)) from None
            return out
        return items
    members = _members(tp)
    if members is not None:
        return _union_encoder(members)
    raise TypeError(f"the bank codec cannot write {tp!r}")


def _record_encoder(cls: type[Any]) -> Codec:
    hints = typing.get_type_hints(cls)
    # str/int/bool fields are checked inline, not through a call each: most fields are those.
    plain = tuple((f.name, hints[f.name]) for f in fields(cls) if hints[f.name] in (str, int, bool))
    parts = [(f.name, _encoder(hints[f.name])) for f in fields(cls)
             if hints[f.name] not in (str, int, bool)]

    def record(value: Any) -> Any:
        if type(value) is not cls:
            raise _Bad("", f"must be a {cls.__name__}, got {type(value).__name__}")
        out = {}
        for name, kind in plain:
            v = getattr(value, name)
            # A StrEnum in a str field is fine (JSON writes its value); bool is no int here.
            if type(v) is not kind and not (kind is str and isinstance(v, str)):
                raise _Bad(name, f"must be {kind.__name__}, got {type(v).__name__}")
            out[name] = v
        for name, encode in parts:
            try:
                out[name] = encode(getattr(value, name))
            except _Bad as bad:
                raise bad.under(name) from None
        return out
    return record


def _union_encoder(members: tuple[Any, ...]) -> Codec:
    optional = type(None) in members
    rest = tuple(m for m in members if m is not type(None))
    if len(rest) == 1:
        inner = _encoder(rest[0])
        return lambda value: None if value is None else inner(value)
    tagged = {m: _encoder(m) for m in rest if isinstance(m, type) and is_dataclass(m)}
    if len(tagged) != len(rest):
        raise TypeError(f"the bank codec writes unions of dataclasses only, not {members!r}")

    def one_of(value: Any) -> Any:
        if value is None and optional:
            return None
        encode = tagged.get(type(value))
        if encode is None:
            raise _Bad("", f"{type(value).__name__} is not one of "
                           f"{', '.join(m.__name__ for m in tagged)}")
        return {"type": type(value).__name__, **encode(value)}
    return one_of


def _build_decoder(tp: Any) -> Codec:
    if tp in (str, int, bool):
        return _leaf(tp)
    if tp is datetime:
        def moment(value: Any) -> Any:
            try:
                when = datetime.fromisoformat(value)
            except (TypeError, ValueError):
                raise _Bad("", f"must be an ISO-8601 time, got {value!r}") from None
            if when.utcoffset() is None:
                raise _Bad("", f"must be an aware time, got {value!r}")
            return when
        return moment
    if isinstance(tp, type) and issubclass(tp, Enum):
        enum = tp

        def member(value: Any) -> Any:
            try:
                return enum(value)
            except ValueError:
                raise _Bad("", f"unknown {enum.__name__} {value!r}") from None
        return member
    if isinstance(tp, type) and is_dataclass(tp):
        return _record_decoder(tp)
    if get_origin(tp) is tuple and len(get_args(tp)) == 2 and get_args(tp)[1] is Ellipsis:
        item = _decoder(get_args(tp)[0])

        def items(value: Any) -> Any:
            if not isinstance(value, list):
                raise _Bad("", f"must be a list, got {type(value).__name__}")
            out = []
            for i, v in enumerate(value):
                try:
                    out.append(item(v))
                except _Bad as bad:
                    raise bad.under(str(i)) from None
            return tuple(out)
        return items
    members = _members(tp)
    if members is not None:
        return _union_decoder(members)
    raise TypeError(f"the bank codec cannot read {tp!r}")


def _record_decoder(cls: type[Any]) -> Codec:
    hints = typing.get_type_hints(cls)
    plain = {f.name: hints[f.name] for f in fields(cls) if hints[f.name] in (str, int, bool)}
    parts = {f.name: _decoder(hints[f.name]) for f in fields(cls) if f.name not in plain}
    # Fields with a default may be missing (written before the field existed).
    required = frozenset(f.name for f in fields(cls)
                         if f.default is MISSING and f.default_factory is MISSING)
    known = frozenset(f.name for f in fields(cls))

    def record(value: Any) -> Any:
        if not isinstance(value, dict):
            raise _Bad("", f"must be an object, got {type(value).__name__}")
        if not known.issuperset(value):
            raise _Bad(sorted(value.keys() - known)[0], f"not a field of {cls.__name__}")
        if not required.issubset(value):
            raise _Bad(sorted(required - value.keys())[0], "is missing")
        kwargs = {}
        for name, v in value.items():
            kind = plain.get(name)
            if kind is not None:
                if type(v) is not kind:
                    raise _Bad(name, f"must be {kind.__name__}, got {type(v).__name__}")
                kwargs[name] = v
                continue
            try:
                kwargs[name] = parts[name](v)
            except _Bad as bad:
                raise bad.under(name) from None
        return cls(**kwargs)
    return record


def _union_decoder(members: tuple[Any, ...]) -> Codec:
    optional = type(None) in members
    rest = tuple(m for m in members if m is not type(None))
    if len(rest) == 1:
        inner = _decoder(rest[0])
        return lambda value: None if value is None else inner(value)
    tagged = {m.__name__: _decoder(m) for m in rest if isinstance(m, type) and is_dataclass(m)}
    if len(tagged) != len(rest):
        raise TypeError(f"the bank codec reads unions of dataclasses only, not {members!r}")

    def one_of(value: Any) -> Any:
        if value is None and optional:
            return None
        if not isinstance(value, dict):
            raise _Bad("", f"must be an object, got {type(value).__name__}")
        body = dict(value)
        name = body.pop("type", None)
        decode = tagged.get(name) if isinstance(name, str) else None
        if decode is None:
            raise _Bad("type", f"{name!r} is not one of {', '.join(tagged)}")
        return decode(body)
    return one_of

"""Prompt texts with ``{name}`` placeholders, parsed once at load time.

A prompt without placeholders renders to one shared `Play` per language, so saying it
allocates nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter

from hotline.ivr.actions import Play
from hotline.ivr.schema import NAME
from hotline.ivr.secret import MASK, Secret

Part = tuple[str, str | None]  # literal text, then a variable name or None


def parse(text: str) -> tuple[Part, ...]:
    """Split ``text`` into literal parts and placeholders.

    Raises `ValueError` naming the bad placeholder (``{a.b}``, ``{0}``, ``{x!r}``, ``{``).

    >>> parse("Balance {balance} yuan")
    (('Balance ', 'balance'), (' yuan', None))
    """
    parts: list[Part] = []
    for literal, field, spec, conversion in Formatter().parse(text):
        if field is not None and (not NAME.match(field) or spec or conversion):
            raise ValueError(f"placeholder {{{field}}} must be a plain variable name")
        parts.append((literal, field))
    return tuple(parts)


class Prompt:
    """One prompt in every language of its flow."""

    __slots__ = ("fixed", "id", "parts")

    def __init__(self, prompt_id: str, texts: Mapping[str, str]) -> None:
        self.id = prompt_id
        self.parts = {language: parse(text) for language, text in texts.items()}
        self.fixed = {
            language: Play(prompt_id=prompt_id, text=texts[language], language=language)
            for language, parts in self.parts.items()
            if all(name is None for _, name in parts)
        }

    def names(self, language: str) -> list[str]:
        """The placeholders of the text in ``language``."""
        return [name for _, name in self.parts[language] if name is not None]

    def render(
        self,
        language: str,
        variables: Mapping[str, str | Secret],
        extra: Mapping[str, str] | None = None,
    ) -> Play:
        """The `Play` for ``language``, placeholders filled from ``extra`` then ``variables``.

        A missing variable is said as nothing; a `Secret` is never said.
        """
        fixed = self.fixed.get(language)
        if fixed is not None:
            return fixed
        out: list[str] = []
        for literal, name in self.parts[language]:
            out.append(literal)
            if name is not None:
                value = extra.get(name) if extra is not None else None
                if value is None:
                    found = variables.get(name, "")
                    value = found if isinstance(found, str) else MASK
                out.append(value)
        return Play(prompt_id=self.id, text="".join(out), language=language)

    def __repr__(self) -> str:
        return f"Prompt({self.id!r})"

"""Typed button payloads: one small base with `pack()`/`unpack()` instead of f-strings and ``split(":")``.

A handler module declares what its buttons carry as a frozen dataclass::

    @dataclass(frozen=True)
    class NudgePress(ButtonData, prefix="n"):
        nudge: int
        action: str
        snooze: str = ""

``NudgePress(7, "s", "1d").pack()`` is ``"n:7:s:1d"``; ``NudgePress.unpack("n:7:s:1d")`` gives the object
back, and the router hands the parsed object to the handler (``@router.button(NudgePress)``). This is
aiogram's ``CallbackData`` pattern without pydantic.

Format, the one Parley always used (old buttons keep working): the prefix, then the fields in order,
joined by ``:``. Trailing fields equal to their default ``""`` are left out. Only the last field may
contain ``:``. Fields are ``int`` (a row id: ASCII digits, at most 15, an optional leading ``#``) or
``str``. The packed id must leave room for the owner tag the core appends (`bot.owner`), so it is at
most `bot.events.MAX_CHOICE_ID_BYTES` - `bot.owner.TAG_BYTES` bytes, checked where it is built.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any, ClassVar, Self

from bot.owner import SEPARATOR as TAG_SEPARATOR
from bot.owner import TAG_BYTES

__all__ = ["FIELD_SEPARATOR", "MAX_PACKED_BYTES", "ButtonData", "row_id"]

#: Between the prefix and the fields.
FIELD_SEPARATOR = ":"
#: Telegram's 64 bytes of callback data, less the owner tag the core appends.
MAX_PACKED_BYTES = 64 - TAG_BYTES


def row_id(text: str) -> int | None:
    """A database id from a button or a command argument ("12", "#12"); None for anything else, even huge numbers."""
    text = text.lstrip("#")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 15 else None


class ButtonData:
    """Base of the button payloads; subclasses are frozen dataclasses declared with ``prefix=...``."""

    prefix: ClassVar[str] = ""
    _types: ClassVar[dict[str, type] | None] = None

    def __init_subclass__(cls, prefix: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.prefix = prefix
        cls._types = None

    @classmethod
    def _fields(cls) -> list[tuple[dataclasses.Field[Any], type]]:
        """The dataclass fields with their resolved types; TypeError for a class the format can't carry."""
        if not cls.prefix or FIELD_SEPARATOR in cls.prefix or not dataclasses.is_dataclass(cls):
            raise TypeError(f"{cls.__name__} needs a prefix without {FIELD_SEPARATOR!r} and @dataclass(frozen=True)")
        if cls._types is None:
            hints = typing.get_type_hints(cls)
            types = {f.name: hints[f.name] for f in dataclasses.fields(cls)}
            bad = [name for name, kind in types.items() if kind not in (int, str)]
            if bad:
                raise TypeError(f"{cls.__name__}: fields {bad} must be int or str")
            cls._types = types
        return [(f, cls._types[f.name]) for f in dataclasses.fields(cls)]

    def pack(self) -> str:
        """The id for a `bot.events.Choice`: ``prefix:field:field``.

        Raises:
            ValueError: a field other than the last contains ``:``, any contains ``~`` (the owner tag's
                separator), or the result is longer than `MAX_PACKED_BYTES`.
            TypeError: the class is not a proper payload (see `ButtonData`).
        """
        fields = self._fields()
        values = [str(getattr(self, f.name)) for f, _ in fields]
        while values and fields[len(values) - 1][0].default == "" and values[-1] == "":
            values.pop()
        for n, value in enumerate(values):
            if TAG_SEPARATOR in value or (FIELD_SEPARATOR in value and n < len(fields) - 1):
                raise ValueError(f"{type(self).__name__}.{fields[n][0].name} cannot hold {value!r}")
        packed = FIELD_SEPARATOR.join([self.prefix, *values])
        if len(packed.encode()) > MAX_PACKED_BYTES:
            raise ValueError(f"button id longer than {MAX_PACKED_BYTES} bytes: {packed!r}")
        return packed

    @classmethod
    def unpack(cls, data: str) -> Self:
        """The payload packed in ``data`` (an id without its owner tag).

        Raises:
            ValueError: another prefix, a required field missing, or an int field that is no row id.
            TypeError: the class is not a proper payload (see `ButtonData`).
        """
        fields = cls._fields()
        prefix, sep, rest = data.partition(FIELD_SEPARATOR)
        if prefix != cls.prefix:
            raise ValueError(f"not a {cls.__name__}: {data!r}")
        parts = rest.split(FIELD_SEPARATOR, len(fields) - 1) if sep else []
        values: dict[str, Any] = {}
        for n, (f, kind) in enumerate(fields):
            if n >= len(parts):
                if f.default is dataclasses.MISSING:
                    raise ValueError(f"{cls.__name__}: {f.name} missing in {data!r}")
                continue
            if kind is int:
                number = row_id(parts[n])
                if number is None:
                    raise ValueError(f"{cls.__name__}: {f.name} is no id in {data!r}")
                values[f.name] = number
            else:
                values[f.name] = parts[n]
        return cls(**values)

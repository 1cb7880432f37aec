"""Parley's knowledge and words: technique cards, situations and UI strings in en, ru and ro.

`Library` and `library` load on first use (PEP 562), so what needs only `LANGUAGES` or the text
folds (triage's engine) does not pay for pydantic and the YAML loader.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from content.text import LANGUAGES

if TYPE_CHECKING:
    from content.loader import Library, library

__all__ = ["LANGUAGES", "Library", "library"]


def __getattr__(name: str) -> Any:
    if name in ("Library", "library"):
        from content import loader

        return getattr(loader, name)
    raise AttributeError(f"module 'content' has no attribute {name!r}")

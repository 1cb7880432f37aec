"""Parley's knowledge and words: technique cards, situations and UI strings in en, ru and ro."""

from content.loader import Library, library
from content.text import LANGUAGES

__all__ = ["LANGUAGES", "Library", "library"]

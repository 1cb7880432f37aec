"""Parley's knowledge and words: technique cards, situations and UI strings in en, ru and ro."""

from content.loader import LANGUAGES, Library, library

__all__ = ["LANGUAGES", "Library", "library"]

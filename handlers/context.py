"""The handlers' `Context`; it lives in `bot.context` so the core can build it without importing handlers."""

from __future__ import annotations

from bot.context import Context, ContextSource

__all__ = ["Context", "ContextSource"]

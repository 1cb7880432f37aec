"""Parley: coaching through client conflicts, in the chat people already use."""

__version__ = "0.1.0"

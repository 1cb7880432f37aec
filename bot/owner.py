"""Every button belongs to the person it answered: choice ids carry a short owner tag.

In a group chat or channel everybody sees the buttons Parley showed one person. Buttons on a case
were already checked against the case owner, but menus, cards without a case yet, /lang, /forget and
/help buttons were not, so anyone could press them and replace the other person's message. Instead of
each handler remembering to check, the core stamps every choice of the replies it returns (and of the
nudges it sends) with the tag of the person they are for, and checks the tag of a pressed button
before any handler runs (`bot.core.Core`, with `bot.events.stamp_replies`).

Format: ``<choice id>~<tag>``, the tag being `TAG_CHARS` URL-safe base64 characters of a BLAKE2s hash
of ``platform`` and ``user_id``. 24 bits make an accidental match between two people in one chat
negligible. The tag is not a secret and not an authorisation: it stops a neighbour's press, not a
modified client forging callback data (case buttons are still checked against the stored case owner).
No existing id uses ``~``; `bot.events.Choice` refuses one anywhere but before a tag.
"""

from __future__ import annotations

import base64
import hashlib

#: Separates a choice id from its owner tag.
SEPARATOR = "~"
#: Characters of the tag (URL-safe base64, so 6 bits each).
TAG_CHARS = 4
#: What stamping adds to an id: the separator and the tag. Handler ids must leave this much room.
TAG_BYTES = len(SEPARATOR) + TAG_CHARS


def owner_tag(platform: str, user_id: str) -> str:
    """The tag of one person on one platform: `TAG_CHARS` characters from ``A-Z a-z 0-9 - _``.

    Stable across restarts and versions (no key, no salt), so buttons sent before a restart still
    work for their owner.
    """
    digest = hashlib.blake2s(f"{platform}\0{user_id}".encode(), digest_size=6).digest()
    return base64.urlsafe_b64encode(digest).decode()[:TAG_CHARS]


def stamp(choice_id: str, tag: str) -> str:
    """``choice_id`` with ``tag`` appended; an id that already has a tag is returned unchanged.

    Idempotent so a reply stamped for its owner (a nudge re-sent, a handler that stamped itself) is
    never re-assigned to whoever happens to be acting.
    """
    return choice_id if SEPARATOR in choice_id else f"{choice_id}{SEPARATOR}{tag}"


def unstamp(choice_id: str) -> tuple[str, str | None]:
    """``(bare id, tag)`` of a pressed button's id; the tag is None for an id sent without one.

    Whatever follows the separator is the tag, even when empty or malformed: it then simply matches
    nobody, so a garbled id is refused rather than treated as unowned.
    """
    bare, sep, tag = choice_id.partition(SEPARATOR)
    return (bare, tag) if sep else (choice_id, None)


def is_tag(text: str) -> bool:
    """True for text shaped like a tag (what `owner_tag` can return)."""
    return len(text) == TAG_CHARS and all(c.isascii() and (c.isalnum() or c in "-_") for c in text)

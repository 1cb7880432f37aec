"""The console adapter behind ``parley chat``: stdin in, stdout out, choices as numbers.

Reads raw bytes so a piped file with invalid UTF-8 cannot stop it, and works the same on a TTY and
in a pipe. Nudges from the scheduler are printed between lines while the chat runs.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import os
import re
import sys
import uuid
from collections.abc import Sequence
from typing import BinaryIO, TextIO

from bot.core import Core
from bot.events import Choice, Event, EventKind, Reply
from bot.markup import to_plain
from bot.outbox import Delivery

CHAT_ID = "console"
#: What a person types to pick a numbered choice: "2", "2.", "2)", "#2"; "-1" and "0" are numbers that
#: pick nothing.
_NUMBER = re.compile(r"#?\s*(-?\d{1,6})\s*[.)]?")


class ConsoleAdapter:
    platform = "console"

    def __init__(self, core: Core, *, user_id: str, stdin: BinaryIO | None = None,
                 stdout: TextIO | None = None, interactive: bool | None = None, language: str | None = None) -> None:
        self.core = core
        self.user_id = user_id
        #: ``parley chat --lang``: the hint every event carries, so a user created anew (after /forget)
        #: is spoken to in it too, as a Telegram user would be in their app's language.
        self.language = language
        self.stdin = stdin or sys.stdin.buffer
        self.stdout = stdout or sys.stdout
        self.interactive = sys.stdin.isatty() if interactive is None else interactive
        self._choices: list[Choice] = []
        self._out_lock = asyncio.Lock()
        #: The reader of stdout went away (``parley chat | head``): nothing more is printed or read.
        self.reader_gone = False

    async def start(self) -> None:
        for event in await self.core.unfinished(self.platform):
            if event.user_id == self.user_id:
                await self.core.run(event, {})

    async def stop(self) -> None:
        return None

    async def deliver(self, delivery: Delivery) -> None:
        """Prints an outbox row: the replies to a line, or a nudge (marked ⏰) between lines."""
        replies = list(delivery.replies)
        if delivery.maybe_sent and delivery.repeat_note and replies:
            replies[0] = dataclasses.replace(replies[0], text=f"{delivery.repeat_note}\n{replies[0].text}")
        if delivery.target is None:
            await self._show(replies, keep_choices=bool(delivery.route.get("keep_choices")))
            return
        # on a terminal a prompt is waiting on the current line: start over it
        await self._show(replies, prefix="\r⏰ " if self.interactive else "⏰ ")
        if self.interactive and not self.reader_gone:  # the nudge came while a prompt was waiting: show it again
            try:
                self.stdout.write("> ")
                self.stdout.flush()
            except BrokenPipeError:
                self._reader_left()

    async def greet(self) -> None:
        """On a terminal, say who is listening and how to leave; a pipe gets answers only."""
        if self.interactive:
            user = await self.core.user_for(self._event(""))
            try:
                self.stdout.write(to_plain(self.core.lib.t("chat.welcome", user.lang)) + "\n\n")
                self.stdout.flush()
            except BrokenPipeError:
                self._reader_left()

    async def show(self, replies: Sequence[Reply]) -> None:
        """Replies of the session itself whose buttons become the ones numbers pick (the step a case waits
        at, shown again at start), through the outbox like every reply; nothing for []."""
        if replies and not self.reader_gone:
            await self.core.reply(self.platform, chat_id=CHAT_ID, thread_id=None, user_id=self.user_id,
                                  replies=list(replies), route={})

    async def say(self, reply: Reply) -> None:
        """A note of the session itself (not an answer to a line), through the outbox like every reply;
        the menu shown before it stays the one to pick from. Nothing once stdout's reader has left."""
        if self.reader_gone:
            return
        await self.core.reply(self.platform, chat_id=CHAT_ID, thread_id=None, user_id=self.user_id,
                              replies=[reply], route={"keep_choices": True})

    def _reader_left(self) -> None:
        """stdout's reader closed the pipe: stop printing, and point stdout at /dev/null so the flush at
        exit cannot raise again; `run` ends at its next line."""
        self.reader_gone = True
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), self.stdout.fileno())
        except (OSError, ValueError, io.UnsupportedOperation):  # not a real file (a test's StringIO)
            pass

    async def _show(self, replies: Sequence[Reply], prefix: str = "", keep_choices: bool = False) -> None:
        if self.reader_gone:
            return
        try:
            await self._print(replies, prefix, keep_choices)
        except BrokenPipeError:
            self._reader_left()

    async def _print(self, replies: Sequence[Reply], prefix: str, keep_choices: bool) -> None:
        async with self._out_lock:
            numbered: list[Choice] = []
            for reply in replies:
                text = to_plain(reply.text)
                self.stdout.write(f"{prefix}{text}\n")
                for choice in reply.choices:
                    numbered.append(choice)
                    self.stdout.write(f"  {len(numbered)}) {choice.label}\n")
                self.stdout.write("\n")
            if numbered and not keep_choices:
                self._choices = numbered
            self.stdout.flush()

    def _event(self, line: str) -> Event:
        base = {"platform": self.platform, "event_id": uuid.uuid4().hex, "user_id": self.user_id,
                "chat_id": CHAT_ID, "language_hint": self.language}
        stripped = line.strip()
        number = _NUMBER.fullmatch(stripped)
        if number and 1 <= int(number.group(1)) <= len(self._choices):
            choice = self._choices[int(number.group(1)) - 1]
            return Event(kind=EventKind.BUTTON, button=choice.id, text=choice.label, **base)  # type: ignore[arg-type]
        return Event(kind=EventKind.MESSAGE, text=line, **base)  # type: ignore[arg-type]

    async def run(self) -> None:
        """Reads until EOF or until stdout's reader leaves. Every line gets an answer; nothing a user types
        can end the loop."""
        loop = asyncio.get_running_loop()
        while not self.reader_gone:
            if self.interactive:
                try:
                    self.stdout.write("> ")
                    self.stdout.flush()
                except BrokenPipeError:
                    self._reader_left()
                    return
            raw = await loop.run_in_executor(None, self.stdin.readline)
            if not raw:
                return
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            number = _NUMBER.fullmatch(line.strip())
            if number and self._choices and not 1 <= int(number.group(1)) <= len(self._choices):
                # a number is meant as a pick: one out of range is a slip, not a crisis to triage
                user = await self.core.user_for(self._event(""))
                note = Reply(self.core.lib.t("chat.no_option", user.lang, number=number.group(1),
                                             last=len(self._choices)))
                # through the outbox like every reply; the menu shown before the slip stays the one to pick from
                await self.core.reply(self.platform, chat_id=CHAT_ID, thread_id=None, user_id=self.user_id,
                                      replies=[note], route={"keep_choices": True})
                continue
            await self.core.submit(self._event(line), {})

"""The ``parley`` command: chat, run, db, cards, card, triage, check, train-triage, train-check, export, slack-manifest.

Every failure a person can cause (bad variable, unwritable database, unknown card) ends in one line
on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bot import __version__
from bot.settings import Settings, SettingsError, load_settings
from bot.store import StoreError
from content.loader import ContentError
from content.text import LANGUAGES

EXIT_CONFIG = 2
#: `parley db status` could not reach the database (1 means migrations are pending).
EXIT_UNREACHABLE = 3
#: ``parley run --help``: the modes and the variables that choose them (README "Configuration").
RUN_DESCRIPTION = """\
Serves every platform whose variables are set, the reminder scheduler and the HTTP server
(POST /slack/events, POST /telegram/webhook, GET /healthz, GET /metrics).

Telegram: PARLEY_TELEGRAM_TOKEN; long polling, or webhook mode with PARLEY_TELEGRAM_WEBHOOK_URL
          (and PARLEY_TELEGRAM_WEBHOOK_SECRET).
Slack:    PARLEY_SLACK_BOT_TOKEN and PARLEY_SLACK_SIGNING_SECRET; HTTP events, or Socket Mode with
          PARLEY_SLACK_APP_TOKEN.
Storage:  PARLEY_DATABASE_URL (sqlite:///PATH by default; postgresql://USER:PASSWORD@HOST/DB for
          several instances; create that database first).
HTTP:     PARLEY_HTTP_HOST, PARLEY_HTTP_PORT.

With no platform configured it exits with code 2 and names the variables to set. Every variable
is described in the README, section "Configuration"."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="parley", description="Parley coaches you through conflicts with clients.")
    parser.add_argument("--version", action="version", version=f"parley {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    chat = sub.add_parser("chat", help="talk to Parley in this terminal (no tokens, no server)")
    chat.add_argument("--lang", choices=LANGUAGES, help="language to speak")
    chat.add_argument("--user", default=None, help="who you are (default: your login name)")

    sub.add_parser("run", help="serve Telegram and/or Slack, the scheduler and the HTTP server",
                   description=RUN_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)

    db = sub.add_parser("db", help="the database of PARLEY_DATABASE_URL: schema status and upgrade")
    db.add_argument("action", choices=("status", "upgrade"),
                    help="status: the schema version, changing nothing; upgrade: apply the missing migrations")

    cards = sub.add_parser("cards", help="list the technique cards")
    cards.add_argument("--lang", choices=LANGUAGES, default=None)
    card = sub.add_parser("card", help="show one technique card")
    card.add_argument("id", nargs="+", help="card id or words from its title")
    card.add_argument("--lang", choices=LANGUAGES, default=None)

    triage = sub.add_parser("triage", help="rank the situations a message describes")
    triage.add_argument("text", nargs="+")
    triage.add_argument("--lang", choices=LANGUAGES, default=None, help="a hint; the language is detected")
    triage.add_argument("--json", action="store_true", help='print [{"id", "score", "card"}, ...] best first')

    check = sub.add_parser("check", help="check a draft reply to a client for the don'ts of a conflict")
    check.add_argument("draft", nargs="+")
    check.add_argument("--lang", choices=LANGUAGES, default=None, help="language of the reply (default: the draft's)")
    check.add_argument("--json", action="store_true",
                       help='print [{"rule", "name", "quote", "start", "end"}, ...] in text order')

    train_check = sub.add_parser("train-check", help="retrain the /check model from content/check (needs the train extra)")
    train_check.add_argument("--corpus", type=Path, default=None, help="JSON Lines corpus (default: content/check/corpus.jsonl)")
    train_check.add_argument("--out", type=Path, default=None, help="where to write the model (default: beside the corpus)")
    train_check.add_argument("--no-cv", action="store_true", help="skip cross-validation (every threshold 0)")

    train = sub.add_parser("train-triage", help="retrain the triage model from content/triage (needs the train extra)")
    train.add_argument("--corpus", type=Path, default=None, help="JSON Lines corpus (default: content/triage/corpus.jsonl)")
    train.add_argument("--out", type=Path, default=None, help="where to write the model (default: beside the corpus)")
    train.add_argument("--no-cv", action="store_true", help="skip cross-validation (temperature 1, no threshold)")

    export = sub.add_parser("export", help="print a case's history as Markdown")
    export.add_argument("case", type=int)
    export.add_argument("--lang", choices=LANGUAGES, default=None)

    manifest = sub.add_parser("slack-manifest", help="print the Slack app manifest (YAML)")
    manifest.add_argument("--url", default=None, help="public base URL of `parley run`")
    return parser


def log_handler(settings: Settings, stream: TextIO) -> logging.Handler:
    """The one log handler: text lines, or with ``PARLEY_LOG_FORMAT=json`` one JSON object per line (time,
    level, logger, event id, message and the record's extra fields: platform, kind, latency_ms, outcome
    on ``parley.events``). Every line names the event it belongs to, or "-"."""
    from bot.logcontext import EventFilter

    handler = logging.StreamHandler(stream)
    if settings.log_format == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(event)s %(message)s",
                                           json_ensure_ascii=False))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(event)s]: %(message)s"))
    handler.addFilter(EventFilter())
    return handler


def _setup_logging(settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level, handlers=[log_handler(settings, sys.stderr)])
    if settings.log_format == "json":  # asking for JSON is asking for the line per event (INFO)
        logging.getLogger("parley.events").setLevel(min(logging.INFO, logging.getLevelName(settings.log_level)))
    for noisy in ("httpx", "httpcore", "aiosqlite", "telegram", "slack_bolt", "slack_sdk", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(settings.log_level)))


def _cmd_cards(args: argparse.Namespace, settings: Settings) -> int:
    from content import library

    lib = library()
    lang = args.lang or settings.default_language
    for card in lib.cards.values():
        text = card.text(lang)
        print(f"{card.id:28} {text.title} — {text.summary}")
    return 0


def _cmd_card(args: argparse.Namespace, settings: Settings) -> int:
    from bot.markup import to_plain
    from content import library
    from handlers.render import card_text

    lib = library()
    lang = args.lang or settings.default_language
    found = lib.card_for_words(" ".join(args.id), lang)
    if found is None:
        print(f"parley: no card matches {' '.join(args.id)!r}; `parley cards` lists them", file=sys.stderr)
        return 1
    print(to_plain(card_text(lib, found, lang)))
    return 0


def _cmd_triage(args: argparse.Namespace, settings: Settings) -> int:
    from content import library
    from handlers.triage import triage

    lib = library()
    text = " ".join(args.text).strip()
    if not text:
        print("parley: triage needs a message, e.g. parley triage \"the client will not pay\"", file=sys.stderr)
        return EXIT_CONFIG
    result = triage(text, args.lang)
    rows = [{"id": m.id, "score": round(m.score, 4), "card": lib.situations[m.id].cards[0]} for m in result.matches]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    lang = args.lang or result.language
    if not result.confident:
        print({"en": "(low confidence: Parley would offer a menu)", "ru": "(низкая уверенность: Parley предложит выбрать)",
               "ro": "(încredere scăzută: Parley ar oferi o listă)"}[lang])
    for row in rows:
        title = lib.situations[str(row["id"])].text(lang).title
        print(f"{row['score']:.3f}  {row['id']:28} {title}  → /card {row['card']}")
    return 0


async def _cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import build_core
    from bot.markup import to_plain
    from bot.store import open_store
    from handlers.followup import export_markdown

    store = await open_store(settings.database_url)
    try:
        case = await store.get_case(args.case)
        if case is None:
            print(f"parley: there is no case {args.case}", file=sys.stderr)
            return 1
        core = build_core(store, settings)
        user = await core.store.get_user(case.platform, case.user_id)
        if user is None:
            from bot.store import User

            user = User(platform=case.platform, user_id=case.user_id, lang=case.lang, tz=settings.default_timezone)
        if args.lang:
            user.lang = args.lang
        ctx = core.context_for(user)
        print(to_plain(await export_markdown(ctx, case)))
        return 0
    finally:
        await store.close()


async def _cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    """``parley db status`` (read only, creates nothing) and ``parley db upgrade`` (migrates; safe while
    other instances start, they wait on the same lock)."""
    from bot.store import open_store
    from bot.store.backends import schema_status

    if args.action == "status":
        try:
            before = await schema_status(settings.database_url)
        except StoreError as exc:  # a deploy script must tell "unreachable" from "migrations pending"
            print(f"parley: {exc}", file=sys.stderr)
            return EXIT_UNREACHABLE
        state = ("up to date" if before.current == before.latest else
                 f"{before.pending} migration(s) pending; run `parley db upgrade`" if before.current < before.latest
                 else "written by a newer Parley")
        print(f"{before.backend} {before.where}: schema {before.current} of {before.latest}, {state}")
        return 0 if before.current == before.latest else 1
    before = await schema_status(settings.database_url)
    applied = await _migrate_postgres(settings.database_url, before.where) if before.backend == "postgres" else None
    store = await open_store(settings.database_url, pool_size=2)
    try:
        after = await store.schema_version()
    finally:
        await store.close()
    if applied is None:  # SQLite: one file, migrated at open under its write lock
        applied = after - before.current
    if applied == 0:
        print(f"{before.backend} {before.where}: already at schema {after}")
    else:
        print(f"{before.backend} {before.where}: applied {applied} migration(s); schema {after}")
    return 0


async def _migrate_postgres(url: str, where: str) -> int:
    """Migrates a PostgreSQL database under the advisory lock and returns how many migrations this run
    applied: a count read before the lock would include what a concurrent upgrade applied meanwhile.
    Raises `StoreError` (no password in it) when the server refuses."""
    import asyncpg

    from bot.store.postgres import migrate

    try:
        conn = await asyncpg.connect(url, timeout=10)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
        raise StoreError(f"cannot connect to PostgreSQL at {where}: {type(exc).__name__}") from None
    try:
        return await migrate(conn, where)
    except asyncpg.PostgresError as exc:
        raise StoreError(f"cannot use the database at {where}: {exc}") from None
    finally:
        await conn.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        settings = load_settings()
        _setup_logging(settings)
        if args.command == "chat":
            from bot.app import chat

            return asyncio.run(chat(settings, lang=args.lang, user=args.user or _login()))
        if args.command == "run":
            from bot.app import serve

            return asyncio.run(serve(settings))
        if args.command == "db":
            return asyncio.run(_cmd_db(args, settings))
        if args.command == "cards":
            return _cmd_cards(args, settings)
        if args.command == "card":
            return _cmd_card(args, settings)
        if args.command == "triage":
            return _cmd_triage(args, settings)
        if args.command == "train-triage":
            return _cmd_train(args)
        if args.command == "check":
            return _cmd_check(args, settings)
        if args.command == "train-check":
            return _cmd_train(args)
        if args.command == "export":
            return asyncio.run(_cmd_export(args, settings))
        if args.command == "slack-manifest":
            from bot.adapters.slack_manifest import manifest_yaml

            print(manifest_yaml(args.url))
            return 0
    except SettingsError as exc:
        print(f"parley: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except (StoreError, ContentError) as exc:
        print(f"parley: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        from handlers.linear_model import ModelFileError  # here, so `parley --version` stays light

        if not isinstance(exc, ModelFileError):
            raise
        print(f"parley: {exc}", file=sys.stderr)  # a damaged model file: a broken install
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `parley triage ... | head`: the reader left, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    parser.error(f"unknown command {args.command}")
    return EXIT_CONFIG


def _cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    from bot.markup import to_plain
    from handlers.check import check_content, check_draft, render_check
    from handlers.triage import detect_language

    draft = " ".join(args.draft).strip()
    if not draft:
        print("parley: check needs a draft, e.g. parley check \"Calm down, it is not our fault.\"", file=sys.stderr)
        return EXIT_CONFIG
    findings = check_draft(draft)
    lang = args.lang or detect_language(draft, settings.default_language)
    if args.json:
        rules = check_content().rules
        print(json.dumps([{"rule": f.rule, "name": rules[f.rule].name.get(lang), "quote": f.quote,
                           "start": f.start, "end": f.end} for f in findings], ensure_ascii=False))
        return 0
    print(to_plain(render_check(findings, lang)))
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    """``parley train-triage`` / ``parley train-check``: one line naming the extra when scikit-learn is missing."""
    if args.command == "train-check":
        from bot import train_check as trainer
    else:
        from bot import train_triage as trainer  # type: ignore[no-redef]
    try:
        trainer.train(args.corpus or trainer.CORPUS, args.out, cv=not args.no_cv)
    except ImportError as exc:
        print(f"parley: {exc}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as exc:  # a missing or malformed corpus, an empty one, an unwritable --out
        print(f"parley: {args.command}: {exc}", file=sys.stderr)
        return 1
    return 0


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "me"


if __name__ == "__main__":
    raise SystemExit(main())

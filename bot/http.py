"""Parley's one HTTP server (aiohttp): health check, metrics, Slack events, Telegram webhook.

Adapters add their routes before `start`; the server itself knows no platform.

How a request that goes wrong is answered (every endpoint keeps to it):

- malformed, unsigned or wrongly typed (the request's fault): a 4xx, or a 2xx with the update dropped
  where the platform would otherwise retry it forever (Telegram), and one WARNING line without a
  traceback or any of the request's content (`refuse`);
- a body over `MAX_BODY` bytes: aiohttp's 413; wrong method or unknown path: aiohttp's 405/404;
- a well-formed request Parley could not take in (the store is down): 5xx, so the platform retries;
  the handler logs that failure itself;
- anything else a handler raises is a bug: `_last_resort` logs it once with its traceback (for the
  developer) and answers a bare 500, never the traceback (for the client).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus

from aiohttp import web

from bot.metrics import CONTENT_TYPE_LATEST, exposition

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
#: Bytes a request body may have; Slack's and Telegram's payloads are far smaller. Larger: 413.
MAX_BODY = 1024 * 1024
#: A health probe: True when its part works; may be a coroutine (the store is asked), and raising is False.
Probe = Callable[[], bool | Awaitable[bool]]
#: Seconds a probe may take before it counts as down.
PROBE_TIMEOUT = 2.0


def refuse(logger: logging.Logger, status: int, reason: str, *args: object) -> web.Response:
    """Answers a request that is the client's fault: one WARNING line, a short plain-text body.

    ``reason`` (a %-format with ``args``) must describe the request's shape only, never its content:
    a body may hold a user's message or a token. No traceback is logged; the status says it all.
    """
    logger.warning("answered %s to a malformed request: " + reason, status, *args)
    return web.Response(status=status, text=HTTPStatus(status).phrase.lower())


@web.middleware
async def _last_resort(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The safety net: an exception no handler expected becomes a logged error and a bare 500.

    aiohttp's own answers (404, 405, 413, ...) pass through. A 500 rather than a 4xx because Parley
    cannot tell here whether the request or Parley was at fault, and a platform retrying a request
    that hit a bug is the cheaper mistake. Handlers answer malformed requests themselves (`refuse`).
    """
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception:
        log.error("%s %s failed unexpectedly", request.method, request.path, exc_info=True)
        return web.Response(status=500, text="internal error")


class HttpServer:
    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.app = web.Application(client_max_size=MAX_BODY, middlewares=[_last_resort])
        self.app.router.add_get("/healthz", self._health)
        self.app.router.add_get("/metrics", self._metrics)
        self._runner: web.AppRunner | None = None
        #: ``GET /healthz``: one probe per part (store, scheduler, each platform); any False answers 503.
        self.checks: dict[str, Probe] = {}
        #: Extra fields of the /healthz body (the scheduler's last tick), computed per request.
        self.info: dict[str, Callable[[], object]] = {}
        #: Run before each ``GET /metrics`` (gauges read from the store); a failure is logged, not fatal.
        self.before_scrape: list[Callable[[], Awaitable[None]]] = []

    def add_post(self, path: str, handler: Handler) -> None:
        self.app.router.add_post(path, handler)

    async def _health(self, request: web.Request) -> web.Response:
        names = list(self.checks)
        results = await asyncio.gather(*(self._probe(name, self.checks[name]) for name in names))
        states = dict(zip(names, results, strict=True))
        ok = all(states.values())
        body: dict[str, object] = {"status": "ok" if ok else "degraded", "checks": states}
        body.update((name, value()) for name, value in self.info.items())
        return web.json_response(body, status=200 if ok else 503)

    @staticmethod
    async def _probe(name: str, probe: Probe) -> bool:
        try:
            result = probe()
            if inspect.isawaitable(result):
                result = await asyncio.wait_for(result, PROBE_TIMEOUT)
            return bool(result)
        except Exception as exc:  # a probe that fails says "down"; why goes to the log, once per request
            log.warning("health check %s failed: %s", name, type(exc).__name__)
            return False

    async def _metrics(self, request: web.Request) -> web.Response:
        for hook in self.before_scrape:
            try:
                await asyncio.wait_for(hook(), PROBE_TIMEOUT)
            except Exception as exc:
                log.warning("a /metrics gauge could not be refreshed: %s", type(exc).__name__)
        response = web.Response(body=exposition())
        response.content_type = CONTENT_TYPE_LATEST.split(";")[0]
        response.charset = "utf-8"
        return response

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        addresses = self._runner.addresses  # (host, port, ...) per listening socket; port 0 picked one
        if addresses:
            self.port = addresses[0][1]
        log.info("HTTP server listening on %s:%s", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

"""Parley's one HTTP server (aiohttp): health check, Slack events, Telegram webhook.

Adapters add their routes before `start`; the server itself knows no platform.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class HttpServer:
    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.app = web.Application(client_max_size=1024 * 1024)
        self.app.router.add_get("/healthz", self._health)
        self._runner: web.AppRunner | None = None
        self.checks: dict[str, Callable[[], bool]] = {}

    def add_post(self, path: str, handler: Handler) -> None:
        self.app.router.add_post(path, handler)

    async def _health(self, request: web.Request) -> web.Response:
        states = {name: check() for name, check in self.checks.items()}
        ok = all(states.values())
        return web.json_response({"status": "ok" if ok else "degraded", "checks": states}, status=200 if ok else 503)

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or []
        if sockets:
            self.port = sockets[0].getsockname()[1]
        log.info("HTTP server listening on %s:%s", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

"""PTB's network layer on aiohttp: the Bot API calls of the Telegram adapter, JSON bodies, keep-alive pool.

PTB's default `HTTPXRequest` (httpx -> httpcore -> anyio -> h11, all pure Python) costs more CPU per
call than everything else Parley does for an update; aiohttp, which Parley already runs for its HTTP
server, parses HTTP in C. Bodies are sent as JSON (the Bot API takes ``application/json``) instead of
url-encoded forms, which is cheaper for long HTML replies; uploads still go as multipart.

Only the transport changes: PTB still builds every request, maps status codes to its exceptions
(`BaseRequest._request_wrapper`), parses the answers, and runs the rate limiter.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

if TYPE_CHECKING:
    from bot.compat import ODVInput

_JSON_HEADERS = {"User-Agent": BaseRequest.USER_AGENT, "Content-Type": "application/json"}
_HEADERS = {"User-Agent": BaseRequest.USER_AGENT}


def _given(value: ODVInput[float], fallback: float | None) -> float | None:
    """A timeout the caller passed (seconds, or None for "no limit"), else ``fallback``.

    PTB marks "not given" with `BaseRequest.DEFAULT_NONE`, a default-value object that is neither a number
    nor None; testing for the shapes a real value has needs none of PTB's private classes.
    """
    if value is None or isinstance(value, int | float):
        return value
    return fallback


class AiohttpRequest(BaseRequest):
    """A `BaseRequest` on one `aiohttp.ClientSession` holding up to ``connection_pool_size`` connections.

    Timeouts: ``pool_timeout`` + ``connect_timeout`` bound getting a connection, ``connect_timeout`` a new
    TCP connection, ``read_timeout`` the wait for the answer. aiohttp has no write timeout of its own, so
    ``write_timeout`` (``media_write_timeout`` for uploads) is added to the whole call's bound instead.
    """

    __slots__ = ("_connect", "_media_write", "_pool", "_pool_size", "_read", "_session", "_write")

    def __init__(self, connection_pool_size: int = 1, *, read_timeout: float | None = 5.0,
                 write_timeout: float | None = 5.0, connect_timeout: float | None = 5.0,
                 pool_timeout: float | None = 1.0, media_write_timeout: float | None = 20.0) -> None:
        self._pool_size = connection_pool_size
        self._read = read_timeout
        self._write = write_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._media_write = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=self._pool_size),
                cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets no cookies
                auto_decompress=True,
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data is not None and request_data.contains_files
        read = _given(read_timeout, self._read)
        write = _given(write_timeout, self._media_write if files else self._write)
        connect = _given(connect_timeout, self._connect)
        pool = _given(pool_timeout, self._pool)
        total = None if None in (read, write, connect, pool) else \
            float(read) + float(write) + float(connect) + float(pool)  # type: ignore[arg-type]
        timeout = aiohttp.ClientTimeout(
            total=total, sock_connect=connect, sock_read=read,
            connect=None if connect is None or pool is None else connect + pool)

        body: Any = None
        headers = _HEADERS
        if request_data is not None:
            if files:
                form = aiohttp.FormData(request_data.json_parameters)
                for name, part in request_data.multipart_data.items():
                    if isinstance(part, tuple):
                        filename, content, *mime = part
                        form.add_field(name, content, filename=filename,
                                       content_type=mime[0] if mime else None)
                    else:
                        form.add_field(name, part)
                body = form
            elif request_data.parameters:
                body = json.dumps(request_data.parameters).encode()
                headers = _JSON_HEADERS

        try:
            async with session.request(method, url, data=body, headers=headers, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as exc:  # aiohttp.ServerTimeoutError too
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{exc.__class__.__name__}: {exc}") from exc

"""The aiohttp transport under PTB: bodies, uploads, timeouts and network errors as PTB expects them."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram import InputFile
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.adapters.telegram_request import AiohttpRequest


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    seen: list[dict[str, Any]] = []

    async def handle(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        entry: dict[str, Any] = {"method": method, "type": request.content_type,
                                 "agent": request.headers.get("User-Agent", "")}
        if request.content_type == "application/json":
            entry["body"] = await request.json()
        elif request.content_type == "multipart/form-data":
            form = await request.post()
            entry["body"] = {k: (v.filename, v.file.read()) if isinstance(v, web.FileField) else v for k, v in form.items()}
        seen.append(entry)
        if method == "slow":
            await asyncio.sleep(1)
        if method == "bad":
            return web.json_response({"ok": False, "error_code": 400, "description": "Bad Request: nope"}, status=400)
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_post("/{method}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}", seen
    await runner.cleanup()


def _data(**params: Any) -> RequestData:
    return RequestData([RequestParameter.from_input(k, v) for k, v in params.items()])


async def test_parameters_go_as_json(server: tuple[str, list[dict[str, Any]]]) -> None:
    url, seen = server
    async with AiohttpRequest(2) as request:
        markup = {"inline_keyboard": [[{"text": "Да", "callback_data": "c1"}]]}
        assert await request.post(f"{url}/sendMessage", _data(chat_id=-100, text="<b>Привет</b> & co",
                                                               reply_markup=markup, disable_notification=True))
    assert seen[0]["type"] == "application/json"
    assert seen[0]["body"] == {"chat_id": -100, "text": "<b>Привет</b> & co", "reply_markup": markup,
                               "disable_notification": True}
    assert "python-telegram-bot" in seen[0]["agent"]


async def test_files_go_as_multipart(server: tuple[str, list[dict[str, Any]]]) -> None:
    url, seen = server
    async with AiohttpRequest() as request:
        await request.post(f"{url}/sendDocument",
                           _data(chat_id=5, document=InputFile(b"hello", filename="a.txt", attach=True)))
    body = seen[0]["body"]
    assert seen[0]["type"] == "multipart/form-data"
    assert body["chat_id"] == "5"
    attached = body["document"].removeprefix("attach://")
    assert body[attached] == ("a.txt", b"hello")


async def test_no_parameters_no_body(server: tuple[str, list[dict[str, Any]]]) -> None:
    url, seen = server
    async with AiohttpRequest() as request:
        assert await request.post(f"{url}/getMe") is True
    assert seen[0]["type"] == "application/octet-stream"


async def test_errors_are_ptbs(server: tuple[str, list[dict[str, Any]]]) -> None:
    url, _ = server
    async with AiohttpRequest(read_timeout=0.2) as request:
        with pytest.raises(BadRequest, match="(?i)nope"):
            await request.post(f"{url}/bad", _data(x=1))
        with pytest.raises(TimedOut):
            await request.post(f"{url}/slow")
        assert await request.post(f"{url}/ok", read_timeout=3) is True  # a per-call timeout wins
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nobody listens there once the socket is closed
    async with AiohttpRequest() as request:
        with pytest.raises(NetworkError) as caught:
            await request.post(f"http://127.0.0.1:{port}/getMe")
        assert not isinstance(caught.value, TimedOut)


async def test_used_before_initialize() -> None:
    with pytest.raises(RuntimeError, match="not initialized"):
        await AiohttpRequest().do_request("http://127.0.0.1:1/x", "POST")
    request = AiohttpRequest()
    await request.initialize()
    await request.shutdown()
    await request.shutdown()  # twice is harmless, as PTB may do on errors at start-up

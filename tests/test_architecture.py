"""The shape of the code, checked: what may import what, and no other library's private names.

These tests read the source (``ast``), they run nothing. They fail with the file and line that broke
the rule, so a newcomer sees which arrow they drew.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "content")
#: The one module allowed to touch other libraries' internals, each use with a contract test.
COMPAT = Path("bot/compat.py")
#: Parley's own private names used from outside ``self``/``cls`` inside the class that owns them.
OWN_PRIVATE = {(Path("bot/store/sqlite.py"), "store._migrate")}


def _modules() -> Iterator[tuple[Path, ast.Module]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path.relative_to(ROOT), ast.parse(path.read_text(encoding="utf-8"))


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _private_uses(tree: ast.Module) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                continue
            yield node.lineno, ast.unparse(node)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if any(_private(part) for part in alias.name.split(".")):
                    yield node.lineno, f"import {alias.name}"
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            parts = node.module.split(".")
            if parts[0] not in PACKAGES and (any(_private(part) for part in parts)
                                             or any(_private(alias.name) for alias in node.names)):
                yield node.lineno, f"from {node.module} import {', '.join(a.name for a in node.names)}"


def test_no_private_name_of_another_library_outside_compat() -> None:
    found = [f"{path}:{line} {text}" for path, tree in _modules() if path != COMPAT
             for line, text in _private_uses(tree) if (path, text) not in OWN_PRIVATE]
    assert found == [], "use a public API, or wrap it in bot/compat.py with a contract test:\n" + "\n".join(found)


def _imports(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """Every absolute import of a module, including the ones inside functions and TYPE_CHECKING blocks."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module


#: Where the whole program is put together: these may import every layer.
COMPOSITION_ROOTS = {Path("bot/app.py"), Path("bot/cli.py"), Path("bot/train_check.py"), Path("bot/train_triage.py")}
#: bot/ modules that still reach up into handlers/ until the later steps of issue 12 untie them.
NOT_YET_UNTIED: set[Path] = set()


def test_bot_does_not_reach_up_into_handlers() -> None:
    found = [f"{path}:{line} imports {module}" for path, tree in _modules()
             if path.parts[0] == "bot" and path not in COMPOSITION_ROOTS | NOT_YET_UNTIED
             for line, module in _imports(tree) if module.split(".")[0] == "handlers"]
    assert found == [], "bot/ is the floor handlers/ stands on; pass what it needs in instead:\n" + "\n".join(found)


def test_button_ids_are_packed_not_spelled_out() -> None:
    """Every `Choice` id comes from a `ButtonData.pack()` (or a variable), never a literal or an f-string."""
    found = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Choice":
                first = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "id"), None)
                if isinstance(first, ast.Constant | ast.JoinedStr):
                    found.append(f"{path}:{node.lineno} {ast.unparse(first)}")
    assert found == [], "build button ids with a ButtonData subclass (handlers/buttons.py):\n" + "\n".join(found)


def test_no_handler_is_registered_by_an_import_side_effect() -> None:
    """Handler modules decorate with their own ``router``; no module-level table is filled elsewhere."""
    assert not (ROOT / "handlers" / "registry.py").exists()
    found = [f"{path}:{line} {module}" for path, tree in _modules() for line, module in _imports(tree)
             if module == "handlers.registry"]
    assert found == []


def test_handlers_never_import_the_core() -> None:
    """Handlers get a `bot.context.Context`; the core is wired to them in bot/app.py, not the other way."""
    found = [f"{path}:{line}" for path, tree in _modules() if path.parts[0] == "handlers"
             for line, module in _imports(tree) if module == "bot.core"]
    assert found == []



def test_adapters_reach_state_only_through_the_core() -> None:
    """Adapters translate and transport: no ``core.store`` (narrow core methods instead)."""
    found = [f"{path}:{node.lineno} {ast.unparse(node)}" for path, tree in _modules()
             if path.parts[:2] == ("bot", "adapters") for node in ast.walk(tree)
             if isinstance(node, ast.Attribute) and node.attr == "store"
             and isinstance(node.value, ast.Attribute | ast.Name) and ast.unparse(node.value).endswith("core")]
    assert found == []


def test_content_stands_on_nothing_of_parley() -> None:
    """content/ is the ground floor: bot/ and handlers/ read it, it reads neither."""
    found = [f"{path}:{line} imports {module}" for path, tree in _modules() if path.parts[0] == "content"
             for line, module in _imports(tree) if module.split(".")[0] in ("bot", "handlers")]
    assert found == []


def test_one_list_of_languages() -> None:
    found = [f"{path}:{node.lineno}" for path, tree in _modules() for node in ast.walk(tree)
             if isinstance(node, ast.Assign | ast.AnnAssign)
             and any(isinstance(t, ast.Name) and t.id == "LANGUAGES"
                     for t in (node.targets if isinstance(node, ast.Assign) else [node.target]))]
    assert found == ["content/text.py:15"]


def test_the_readme_sends_readers_to_a_document_they_have() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "../shared" not in readme
    assert "docs/architecture.md" in readme and (ROOT / "docs" / "architecture.md").is_file()


def _module_name(path: Path) -> str:
    parts = path.with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_the_import_graph_has_no_cycle() -> None:
    """Counting imports inside functions and under TYPE_CHECKING: a hidden arrow is still an arrow.

    ``from handlers import walkthrough`` is an arrow to ``handlers.walkthrough`` (a package's own
    ``__init__`` including its modules is the composition, not a dependency of theirs).
    """
    trees = {_module_name(path): tree for path, tree in _modules()}
    graph: dict[str, set[str]] = {}
    for name, tree in trees.items():
        edges: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                edges |= {alias.name for alias in node.names if alias.name in trees}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in trees:
                submodules = {f"{node.module}.{alias.name}" for alias in node.names} & trees.keys()
                edges |= submodules or {node.module}
        graph[name] = edges - {name}
    cycles: list[str] = []
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for dep in sorted(graph[module]):
            if state.get(dep) == 1:
                cycles.append(" -> ".join([*path[path.index(dep):], dep]))
            elif dep not in state:
                visit(dep)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    assert cycles == []


def test_adapters_deliver_only_through_the_outbox() -> None:
    """Adapters run events with `Core.run` / `Core.submit` (replies become outbox rows); `Core.process` and
    `Core.handle` hand the replies back instead, for tests and tools only."""
    found = []
    for path, tree in _modules():
        if path.parts[:2] != ("bot", "adapters"):
            continue
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("process", "handle") and ast.unparse(node.func.value).endswith("core")):
                found.append(f"{path}:{node.lineno}: {ast.unparse(node.func)}")
    assert found == [], "\n".join(found)


#: Platform calls that put a message (or an answer to a press) in front of a user, per adapter module.
_SENDS = {
    "telegram": {"reply_text", "reply_html", "send_message", "answer_callback_query", "edit_message_text",
                 "edit_message_reply_markup", "post_unparsed", "do_api_request", "copy_message", "forward_message"},
    "slack": {"chat_postMessage", "chat_postEphemeral", "chat_update", "chat_scheduleMessage", "send_dict",
              "respond", "say", "files_upload_v2"},
    "console": {"write"},
}
#: The deliver path: what `bot.outbox` calls (`deliver`) and the public rendering of a nudge (`send`).
_DELIVER_PATH = ("deliver", "send")
#: Output that is no message and stays direct: the console's welcome on a terminal (not a reply to
#: anything) and its "> " prompt.
_NOT_MESSAGES = {("console", "greet"), ("console", "run")}


def _sends_outside_deliver(module: str, tree: ast.Module) -> list[str]:
    """Methods of the module's classes that send (directly, or through a method of the deliver path or
    any other sending method) without being part of the deliver path themselves."""
    sends = _SENDS[module]
    found = []
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        methods = {f.name: f for f in cls.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))}
        direct: dict[str, bool] = {}
        edges: dict[str, set[str]] = {}
        for name, func in methods.items():
            # a platform method called or handed to a helper (``self._call(message.reply_text, ...)``); the
            # prompt and welcome of _NOT_MESSAGES are no messages, but what those methods call still counts
            direct[name] = (module, name) not in _NOT_MESSAGES and any(
                isinstance(n, ast.Attribute) and n.attr in sends for n in ast.walk(func))
            edges[name] = {n.attr for n in ast.walk(func) if isinstance(n, ast.Attribute)
                           and isinstance(n.value, ast.Name) and n.value.id == "self" and n.attr in methods}
        sending = {m for m in methods if direct[m]}
        while True:  # a method that calls a sending method sends too
            more = {m for m in methods if m not in sending and edges[m] & sending}
            if not more:
                break
            sending |= more
        path = {m for m in _DELIVER_PATH if m in methods}
        while True:
            more = set().union(*(edges[m] for m in path)) - path
            if not more:
                break
            path |= more
        found += [f"{module}.{cls.name}.{name}" for name in sorted(sending - path)]
    return found


def test_no_adapter_sends_a_message_outside_its_deliver_path() -> None:
    """Every reply leaves through the outbox: an adapter's platform sends are reachable only from its
    `deliver` (and `send`, the rendering of a nudge); a reply tied to no event goes through `Core.reply`."""
    found = []
    for module in _SENDS:
        path = ROOT / "bot" / "adapters" / f"{module}.py"
        found += _sends_outside_deliver(module, ast.parse(path.read_text(encoding="utf-8")))
    assert found == [], "\n".join(found)


def test_the_deliver_path_check_sees_a_direct_send() -> None:
    bad = ast.parse(
        "class A:\n"
        "    async def deliver(self, d):\n        await self._post(d)\n"
        "    async def _post(self, d):\n        await self.client.chat_postMessage(channel='C')\n"
        "    async def _refuse(self, p):\n        await self._post(p)\n"
        "    async def _note(self, p):\n        await self._call(self.client.chat_postEphemeral, channel='C')\n")
    assert _sends_outside_deliver("slack", bad) == ["slack.A._note", "slack.A._refuse"]
    console = ast.parse(
        "class C:\n"
        "    async def deliver(self, d):\n        await self._show(d)\n"
        "    async def _show(self, d):\n        self.stdout.write(d)\n"
        "    async def run(self):\n        self.stdout.write('> ')\n        await self._show('no option')\n")
    assert _sends_outside_deliver("console", console) == ["console.C.run"], "a prompt is fine, a reply is not"

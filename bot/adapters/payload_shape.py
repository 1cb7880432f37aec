"""One check both HTTP adapters run on a request body before the platform library sees it."""

from __future__ import annotations

from pydantic import BaseModel, ValidationError


def shape_problem(model: type[BaseModel], data: object) -> str | None:
    """None when ``data`` (a decoded JSON body) validates as ``model``, else a short reason.

    The reason names field paths and error kinds only (``message.text: string_type``), never a value
    from the request, so it is safe to log: a value may be a user's message.
    """
    if not isinstance(data, dict):
        return f"the body is a JSON {type(data).__name__}, not an object"
    try:
        model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False, include_context=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        return f"{where}: {first['type']}"
    return None

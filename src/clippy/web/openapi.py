"""The OpenAPI document, completed from the mechanisms that produce each status.

Routes declare what only they know (``responses={409: ...}``); the statuses that come from
shared machinery are added here, once, from the route's own shape, so no operation can
forget them:

- bearer authentication (``security``) → 401;
- a path id → 404 (not the caller's) and 422 (not an id);
- a request body → 400 (bytes that are not text), 413 (``BodyLimitMiddleware``), 422;
- any declared refusal without a body schema gets the one error body, ``Error``.

422 covers both FastAPI's field errors and the refusals a route raises itself (a reason in
``detail``, or ``{"message", "trim_to"}`` for a clip too long for a platform).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

__all__ = ["ErrorOut", "TooLongOut", "install_openapi"]


class ErrorOut(BaseModel):
    """Every refusal: ``detail`` says what went wrong and what to do about it."""

    detail: str = Field(examples=["clip 12 not found"])


class TooLongDetail(BaseModel):
    message: str
    trim_to: float = Field(description="the longest clip, in seconds, the platform takes")


class TooLongOut(BaseModel):
    """A clip too long for the chosen platform."""

    detail: TooLongDetail


_ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
_DESCRIPTIONS = {
    400: "the request cannot be carried out (or its body cannot be parsed); detail says why",
    401: "missing, invalid, expired or revoked credentials",
    403: "not allowed for this account or link",
    404: "no such resource among the caller's",
    409: "the resource is not in a state that allows this",
    413: "the request body is larger than this endpoint accepts",
    422: "invalid input: field errors, or the reason the request cannot be made",
    429: "too many attempts or today's quota is used; see Retry-After when sent",
    503: "not ready",
}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _complete_operation(path: str, op: dict[str, Any]) -> None:
    responses: dict[str, Any] = op.setdefault("responses", {})
    codes: set[int] = set()
    if op.get("security"):
        codes.add(401)
    params = op.get("parameters", [])
    if any(p.get("in") == "path" and p["name"].endswith("_id") for p in params):
        codes |= {404, 422}
    if "requestBody" in op:
        codes |= {400, 413, 422}  # 400: a body that is not text (FastAPI cannot parse it)
    if params:
        codes.add(422)
    for shared in sorted(codes):
        responses.setdefault(str(shared), {"description": _DESCRIPTIONS[shared]})
    for status, response in responses.items():
        if not status.startswith(("4", "5")):
            continue
        response.setdefault("description", _DESCRIPTIONS.get(int(status), "refused"))
        if status == "422":
            response["content"] = _json(
                {
                    "anyOf": [
                        {"$ref": "#/components/schemas/HTTPValidationError"},
                        _ERROR_REF,
                        {"$ref": "#/components/schemas/TooLongOut"},
                    ]
                }
            )
        elif "content" not in response:
            response["content"] = _json(_ERROR_REF)


def complete_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the shared statuses and the error bodies to every operation of ``schema``."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (ErrorOut, TooLongDetail, TooLongOut):
        components[model.__name__] = model.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
    components.setdefault(
        "HTTPValidationError",
        {
            "title": "HTTPValidationError",
            "type": "object",
            "properties": {"detail": {"type": "array", "items": {"type": "object"}}},
        },
    )
    for path, operations in schema.get("paths", {}).items():
        for op in operations.values():
            if isinstance(op, dict) and "responses" in op:
                _complete_operation(path, op)
    return schema


def install_openapi(app: FastAPI) -> None:
    """Serve the completed document at ``/openapi.json`` (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete_schema(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def refusals(*codes: int, **described: str) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route's own refusals: ``refusals(409, 429)`` with the usual
    descriptions, or ``refusals(**{"403": "why"})`` with its own words."""
    out: dict[int | str, dict[str, Any]] = {
        code: {"description": _DESCRIPTIONS[code]} for code in codes
    }
    for code, text in described.items():
        out[int(code.lstrip("_"))] = {"description": text}
    return out


def file_responses(*media_types: str, redirect: bool = True) -> dict[int | str, dict[str, Any]]:
    """``responses=`` of a route that answers with a file (or a redirect to the store)."""
    out: dict[int | str, dict[str, Any]] = {
        200: {
            "description": "the file (range requests supported)",
            "content": {m: {"schema": {"type": "string", "format": "binary"}} for m in media_types},
        }
    }
    if redirect:
        out[307] = {"description": "a redirect to the file in the object store"}
    return out

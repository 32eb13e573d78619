"""The JSON API's blueprint, its access rule and request helpers."""

from __future__ import annotations

import hmac
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from planner.errors import N_, PlannerError, ValidationError
from planner.json_input import load_json
from planner.web.security import csrf, current_person

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class Unauthorized(PlannerError):
    """A request without the API token or an administrator's login."""

    status = 401


class Forbidden(PlannerError):
    """A logged-in person who is not a platform administrator."""

    status = 403


@bp.before_request
def require_api_access() -> None:
    """The API is for integrations (`Authorization: Bearer <API_TOKEN>`) and for logged-in
    platform administrators; a browser session's writes also need its CSRF token."""
    if has_token():
        return
    person = current_person()
    if person is None:
        raise Unauthorized(N_("The API needs a valid API token or an administrator's login."))
    if not person.is_admin:
        raise Forbidden(N_("Only platform administrators may use the API."))
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


def has_token() -> bool:
    """Whether the request carries the configured API token."""
    token = current_app.config.get("API_TOKEN")
    header = request.headers.get("Authorization", "")
    if not token or not header.startswith("Bearer "):
        return False
    given = header.removeprefix("Bearer ").strip()
    return hmac.compare_digest(given.encode(), str(token).encode())


def body(*, optional: bool = False) -> dict[str, Any]:
    """The request's JSON object, checked at the edge (planner.json_input): `optional`, an
    empty body is an empty object."""
    data = json_body(optional=optional)
    if not isinstance(data, dict):
        raise ValidationError(N_("Send a JSON object in the request body."))
    return data


def json_body(*, optional: bool = False) -> Any:
    """The request's JSON value of any shape, checked at the edge (planner.json_input)."""
    raw = request.get_data()
    if optional and not raw.strip():
        return {}
    if not raw.strip():
        raise ValidationError(N_("Send a JSON object in the request body."))
    return load_json(raw)


def created(data: dict[str, Any], location: str) -> Response:
    """A 201 answer with the new resource and its address."""
    response = jsonify(data)
    response.status_code = 201
    response.headers["Location"] = location
    return response


def uploaded() -> bytes:
    """A file sent as the raw body or as the multipart field `file`."""
    upload = request.files.get("file")
    if upload is not None:
        data: bytes = upload.read()
        return data
    if request.mimetype == "multipart/form-data":
        raise ValidationError(N_("Upload the file in the field 'file'."))
    return request.get_data()

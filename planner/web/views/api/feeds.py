"""JSON API: feed links (made, listed, revoked, renewed) and the public region feeds."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from planner.clock import app_now
from planner.feeds import tokens as feeds
from planner.inputs import parse_bool, reject_unknown_fields
from planner.presenters.feeds import issued_json, region_feeds_json, token_json
from planner.web.requests import commit, get_session
from planner.web.views.api.base import body, bp

# --- Feeds -----------------------------------------------------------------------------------

_FEED_FIELDS = {"collaboration", "person", "organisation", "blocked_days", "language", "label"}


@bp.get("/feeds")
def list_feeds() -> Any:
    """Feed links (never their secrets); ?collaboration=, ?person= or ?organisation=, ?all=true."""
    include_revoked = parse_bool(request.args.get("all", "false"), "all")
    session = get_session()
    tokens = feeds.list_tokens(
        session,
        collaboration=request.args.get("collaboration"),
        person=request.args.get("person"),
        organisation=request.args.get("organisation"),
        include_revoked=include_revoked,
    )
    return jsonify([token_json(session, token) for token in tokens])


@bp.post("/feeds")
def create_feed() -> Any:
    """Make a secret feed link: {"collaboration"|"person"|"organisation": id, ...}."""
    data = body()
    reject_unknown_fields(data, _FEED_FIELDS)
    session = get_session()
    issued = feeds.create_token(
        session,
        app_now(),
        collaboration=data.get("collaboration"),
        person=data.get("person"),
        organisation=data.get("organisation"),
        blocked_days=parse_bool(data.get("blocked_days", False), "blocked_days"),
        language=data.get("language"),
        label=data.get("label"),
    )
    commit()
    return jsonify(issued_json(session, issued)), 201


@bp.post("/feeds/<token_id>/revoke")
def revoke_feed(token_id: str) -> Any:
    """Revoke one feed link; its URL answers 404 from the next request on."""
    session = get_session()
    token = feeds.get_token(session, token_id)
    feeds.revoke_token(session, token, app_now())
    commit()
    return jsonify(token_json(session, token))


@bp.post("/feeds/<token_id>/renew")
def renew_feed(token_id: str) -> Any:
    """Replace a feed link by a new secret; the old one is revoked."""
    session = get_session()
    token = feeds.get_token(session, token_id)
    issued = feeds.renew_token(session, token, app_now())
    commit()
    return jsonify(issued_json(session, issued)), 201


@bp.get("/feeds/regions")
def region_feeds() -> Any:
    """The public school holiday feeds of the three regions."""
    return jsonify(region_feeds_json())

"""Calendar feeds over HTTP: token feeds and the public region feeds, with ETag and 304."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from flask_babel import gettext

from planner.clock import app_now
from planner.errors import PlannerError
from planner.feeds.server import FeedServer, RenderedFeed
from planner.feeds.tokens import FeedRef

bp = Blueprint("feeds", __name__, url_prefix="/feeds")


def feed_server() -> FeedServer:
    """Return the application's feed server (caches included)."""
    server: FeedServer = current_app.extensions["planner.feeds"]
    return server


def _not_found() -> Response:
    # The same answer for an unknown, revoked or malformed token: it reveals nothing.
    message = gettext("This calendar link does not exist or has been revoked.")
    return Response(
        message + "\n",
        status=404,
        headers={"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"},
    )


def _not_modified(feed: RenderedFeed) -> bool:
    if request.if_none_match:
        # If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
        return request.if_none_match.contains_weak(feed.etag)
    since = request.if_modified_since
    return since is not None and feed.last_modified.replace(microsecond=0) <= since


def _respond(ref: FeedRef | None) -> Response:
    if ref is None:
        return _not_found()
    feed = feed_server().rendered(ref, app_now())
    if feed is None:
        return _not_found()
    if _not_modified(feed):
        return Response(status=304, headers=feed.headers[1:])
    return Response(feed.body, headers=feed.headers)


@bp.get("/<token>.ics")
def token_feed(token: str) -> Response:
    """A collaboration's, person's or organisation's feed, behind its secret token."""
    return _respond(feed_server().find_token(token, app_now()))


@bp.get("/regions/<region>.ics")
def region_feed_view(region: str) -> Response:
    """The public school holiday feed of region noord, midden or zuid; ?lang=en for English."""
    try:
        ref = feed_server().find_region(region, request.args.get("lang", "nl"), app_now())
    except PlannerError:
        return _not_found()
    response = _respond(ref)
    if response.status_code in (200, 304):
        response.headers["Cache-Control"] = "public, max-age=900"
    return response

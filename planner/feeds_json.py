"""JSON shapes of feeds and feed links, shared by the API and the CLI."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, request
from sqlalchemy.orm import Session

from planner.calendar_nl import REGIONS
from planner.ical.links import subscribe_links
from planner.models import FeedToken
from planner.services.feeds import IssuedToken, target_name

CLI_BASE_URL = "http://localhost:5000"


def public_base_url() -> str:
    """The service's public address: PUBLIC_URL, else the request's, else the local default."""
    configured = current_app.config.get("PUBLIC_URL")
    if configured:
        return str(configured).rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return CLI_BASE_URL


def token_url(secret: str) -> str:
    """The https (or http) address of the feed behind `secret`."""
    return f"{public_base_url()}/feeds/{secret}.ics"


def token_json(session: Session, token: FeedToken) -> dict[str, Any]:
    """A feed link as JSON, without its secret (which is not stored)."""
    feed = token.feed
    return {
        "id": token.id,
        "scope": feed.scope.value,
        "target": {
            "id": feed.collaboration_id or feed.person_id or feed.organisation_id or feed.region,
            "name": target_name(session, feed),
        },
        "blocked_days": feed.blocked_days,
        "language": feed.language,
        "label": token.label,
        "hint": token.hint,
        "created_at": token.created_at.isoformat(),
        "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
        "renewed_from_id": token.renewed_from_id,
    }


def issued_json(session: Session, issued: IssuedToken) -> dict[str, Any]:
    """A new feed link: its details, the secret (shown this once) and the subscribe links."""
    data = token_json(session, issued.token)
    data["token"] = issued.secret
    data["links"] = subscribe_links(token_url(issued.secret), data["target"]["name"])
    return data


def region_feeds_json() -> list[dict[str, Any]]:
    """The public school holiday feeds, one per region."""
    return [
        {
            "region": region,
            "links": subscribe_links(
                f"{public_base_url()}/feeds/regions/{region}.ics", f"Schoolvakanties {region}"
            ),
        }
        for region in REGIONS
    ]

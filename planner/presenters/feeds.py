"""JSON shapes of feeds and feed links, shared by the API and the CLI."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from planner.calendar_nl import REGIONS
from planner.config import public_base_url
from planner.feeds.links import region_feed_url, subscribe_links, token_feed_url
from planner.feeds.tokens import IssuedToken, target_name
from planner.models import FeedToken


def token_url(secret: str) -> str:
    """The https (or http) address of the feed behind `secret`, at the public address."""
    return token_feed_url(public_base_url(), secret)


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
                region_feed_url(public_base_url(), region), f"Schoolvakanties {region}"
            ),
        }
        for region in REGIONS
    ]

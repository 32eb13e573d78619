"""The web runtime: request plumbing, security, forms and the views (pages, JSON API, feeds)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Attach languages, request plumbing, security and every blueprint to the app."""
    from planner.web import addresses, errors, i18n, security
    from planner.web.views import (
        admin,
        api,
        auth,
        availability,
        collaborations,
        feeds,
        meetings,
        pages,
        poll_answers,
        polls,
        rsvp,
        schools,
        subscriptions,
    )

    i18n.init_app(app)
    errors.init_app(app)
    addresses.init_app(app)
    security.init_app(app)
    security.csrf.exempt(api.bp)  # the API checks its token, or CSRF for a browser session
    security.csrf.exempt(feeds.bp)
    security.csrf.exempt(rsvp.bp)  # the secret in the link authorises the answer
    security.csrf.exempt(poll_answers.bp)  # likewise
    security.csrf.exempt(availability.bp)  # as on the answer page
    for module in (
        api,
        auth,
        pages,
        collaborations,
        meetings,
        polls,
        schools,
        subscriptions,
        admin,
        feeds,
        rsvp,
        availability,
        poll_answers,
    ):
        app.register_blueprint(module.bp)

"""planner: plan the meetings of Dutch school collaborations far ahead."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from planner.config import DefaultConfig, env_overrides
from planner.database import Database


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask application: config, then extensions, then blueprints and CLI."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(DefaultConfig)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.update(env_overrides(os.environ))
    else:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config["DATABASE_URL"]:
        sqlite_path = os.path.join(app.instance_path, "planner.sqlite")
        app.config["DATABASE_URL"] = f"sqlite:///{sqlite_path}"

    db = Database(app.config["DATABASE_URL"], echo=app.config["DATABASE_ECHO"])
    app.extensions["planner.db"] = db

    from planner import i18n, web
    from planner.feed_server import FeedServer
    from planner.services.feed_invalidation import watch
    from planner.views import api, feeds, pages, rsvp

    server = FeedServer(db, app.config, lambda: os.path.join(app.instance_path, "feed-generation"))
    app.extensions["planner.feeds"] = server
    watch(db.sessionmaker, on_commit=server.changed)
    i18n.init_app(app)
    web.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(rsvp.bp)
    return app

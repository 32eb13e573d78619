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
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(app.instance_path)
    if not app.config["DATABASE_URL"]:
        sqlite_path = os.path.join(app.instance_path, "planner.sqlite")
        app.config["DATABASE_URL"] = f"sqlite:///{sqlite_path}"

    db = Database(app.config["DATABASE_URL"], echo=app.config["DATABASE_ECHO"])
    app.extensions["planner.db"] = db

    from planner import web
    from planner.feeds.invalidation import watch
    from planner.feeds.server import FeedServer

    server = FeedServer(db, app.config, lambda: os.path.join(app.instance_path, "feed-generation"))
    app.extensions["planner.feeds"] = server
    watch(db.sessionmaker, on_commit=server.changed)
    web.init_app(app)
    return app


def _instance_secret(instance_path: str) -> str:
    """The key kept in instance/secret-key, made on first start (readable by the owner only)."""
    import secrets

    path = os.path.join(instance_path, "secret-key")
    os.makedirs(instance_path, exist_ok=True)
    try:
        with open(path, encoding="ascii") as handle:
            return handle.read().strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(48)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            return _instance_secret(instance_path)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(key)
        return key

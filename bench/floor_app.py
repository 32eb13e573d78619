"""The framework floor for bench/feeds.py: a minimal Flask app returning constant bytes.

Run under gunicorn as `floor_app:create_app()` with FLOOR_SIZES set to comma-separated body sizes;
`GET /<size>.ics` then answers that many bytes as `text/calendar; charset=utf-8`, built once.
"""

from __future__ import annotations

import os

from flask import Flask, Response, abort


def create_app() -> Flask:
    """Build the floor app: one constant body per size in FLOOR_SIZES."""
    app = Flask(__name__)
    line = b"X" * 73 + b"\r\n"
    bodies = {}
    for size in (int(value) for value in os.environ.get("FLOOR_SIZES", "1000").split(",")):
        bodies[size] = (line * (size // len(line) + 1))[:size]

    @app.get("/<int:size>.ics")
    def constant(size: int) -> Response:
        body = bodies.get(size)
        if body is None:
            abort(404)
        return Response(body, content_type="text/calendar; charset=utf-8")

    return app

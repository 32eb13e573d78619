"""Language of the interface: Dutch by default, English on request."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import Babel


def select_locale() -> str:
    """Pick the language: ?lang=, the one chosen in this browser, its preference, the default."""
    languages = list(current_app.config["LANGUAGES"])
    if has_request_context():
        asked = request.args.get("lang")
        if asked and asked in languages:
            return asked
        chosen = session.get("lang")
        if chosen in languages:
            return str(chosen)
        best = request.accept_languages.best_match(languages)
        if best:
            return best
    return str(current_app.config["DEFAULT_LOCALE"])


def init_app(app: Flask) -> None:
    """Attach Flask-Babel with the package's translations."""
    Babel(app, locale_selector=select_locale, default_translation_directories="translations")

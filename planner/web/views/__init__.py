"""Blueprints: the JSON API and the web pages."""

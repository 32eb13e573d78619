"""Browser tests: the main journeys in headless Chromium against the running service."""

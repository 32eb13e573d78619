"""Benchmark: server time of the main web pages on the demo data, as a logged-in user sees them.

Run: .venv/bin/python bench/pages.py [DATABASE_URL]
Loads the demo into a fresh database (a temporary SQLite file by default; a PostgreSQL URL is
emptied first), logs in through the real form, and prints the median and p95 of each page over
20 requests (after one warm-up), with the size of the HTML.
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time

from sqlalchemy import text

from planner import create_app
from planner.clock import app_now
from planner.database import make_engine
from planner.migrate import upgrade_database
from planner.services.demo import DEMO_PASSWORD, load_demo

ROUNDS = 20
PAGES = [
    ("a.devries@minnaert.example", "dashboard (coordinator)", "/dashboard"),
    ("beheer@planner.example", "dashboard (admin, 3 collaborations)", "/dashboard"),
    ("a.devries@minnaert.example", "collaboration page with year picture", "/collaborations/1"),
    ("a.devries@minnaert.example", "year picture SVG", "/collaborations/1/year.svg"),
    (
        "a.devries@minnaert.example",
        "plan wizard preview (school year)",
        "/collaborations/1/plan?scope=year&school_year=2026-2027",
    ),
    ("a.devries@minnaert.example", "meeting page", "/meetings/5"),
    ("roosters@minnaert.example", "school page", "/schools/1"),
    ("a.devries@minnaert.example", "feeds page", "/subscriptions"),
    ("beheer@planner.example", "admin queue", "/admin/queue"),
]


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.mkdtemp()}/pages.sqlite"
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade_database(engine)
    engine.dispose()
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "FROZEN_NOW": "2026-11-21T09:00:00Z",
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context(), app.extensions["planner.db"].session() as session:
        load_demo(session, app_now())
        session.commit()
    print(f"{'page':<40} {'median':>9} {'p95':>9} {'HTML':>9}")
    clients = {}
    for email, name, path in PAGES:
        client = clients.get(email)
        if client is None:
            client = app.test_client()
            form = client.get("/login").get_data(as_text=True)
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)
            assert token, "no CSRF token on the login form"
            answer = client.post(
                "/login",
                data={"csrf_token": token[1], "email": email, "password": DEMO_PASSWORD},
            )
            assert answer.status_code == 302, answer.status_code
            clients[email] = client
        first = client.get(path)
        assert first.status_code == 200, (path, first.status_code)
        times = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        size = len(response.data) / 1024
        print(f"{name:<40} {statistics.median(times):>7.1f}ms {p95:>7.1f}ms {size:>7.1f}KB")


if __name__ == "__main__":
    main()

"""The API fuzz test (tests/test_api_fuzz.py) run long, on SQLite and on PostgreSQL.

Run: .venv/bin/python bench/fuzz_api.py [EXAMPLES] [SEED]
Defaults: 20,000 generated requests per database, seed 1. PostgreSQL is the one in
PLANNER_TEST_DATABASE_URL (default: postgresql+psycopg://postgres@127.0.0.1:5432/test; it is
emptied). Prints per database: requests sent, refused, accepted, answers 5xx (must be 0) and
refusals that changed a row (must be 0), and the wall time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def main() -> int:
    examples = sys.argv[1] if len(sys.argv) > 1 else "20000"
    seed = sys.argv[2] if len(sys.argv) > 2 else "1"
    failed = 0
    for name, url in (
        ("sqlite", None),
        ("postgresql", os.environ.get("PLANNER_TEST_DATABASE_URL", POSTGRES)),
    ):
        env = {**os.environ, "PLANNER_FUZZ_EXAMPLES": examples, "PLANNER_FUZZ_SEED": seed}
        env.pop("PLANNER_TEST_DATABASE_URL", None)
        if url:
            env["PLANNER_TEST_DATABASE_URL"] = url
        started = time.perf_counter()
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-s",
                "-p",
                "no:logging",
                "-p",
                "no:cacheprovider",
                "tests/test_api_fuzz.py",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - started
        figures = [line for line in run.stdout.splitlines() if line.startswith("fuzz (")]
        print(f"{name}: {figures[0] if figures else 'no figures'} ({elapsed:.0f} s)")
        if run.returncode:
            failed += 1
            print(run.stdout[-4000:])
    return failed


if __name__ == "__main__":
    raise SystemExit(main())

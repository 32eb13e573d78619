# Copy to instance/config.py and adjust. Every setting is listed in planner/config.py;
# environment variables PLANNER_<NAME> override this file.

SECRET_KEY = "change-me-to-a-long-random-string"

# PostgreSQL in production (psycopg 3); the default is SQLite in this folder.
# DATABASE_URL = "postgresql+psycopg://planner@127.0.0.1:5432/planner"

# Require this bearer token for API writes (POST, PATCH, PUT, DELETE).
# API_WRITE_TOKEN = "a-long-random-token"

# Interface language when the browser expresses no preference: "nl" or "en".
# DEFAULT_LOCALE = "nl"

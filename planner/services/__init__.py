"""Use cases by area: each takes a session and `now`, flushes, never commits."""

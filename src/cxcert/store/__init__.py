"""Application state: SQLAlchemy 2 models, Alembic migrations and repositories that speak domain types.

The pure core never sees a session: repositories turn rows into the frozen domain values and back.
"""

"""The SQL store (SQLAlchemy 2 + Alembic): SQLite by default, PostgreSQL when configured.

``database`` finds, opens and migrates the database; ``eventlog`` is the event log;
``directory`` the skills, agents, queues, workflows, codes, targets and hours; ``accounts``
users, tokens and login attempts; ``audit`` the audit log; ``history`` customers' contacts.
"""

"""Persistence adapters: the event log (SQLite) and, later, the directory."""

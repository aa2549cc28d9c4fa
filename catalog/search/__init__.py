"""Catalogue search: one function over SQLite FTS5 or PostgreSQL full text, plus suggestions."""

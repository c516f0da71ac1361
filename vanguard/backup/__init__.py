"""Backup and restore of a whole instance: the database (SQLite or PostgreSQL) and the media files.

One archive (.tar.gz) holds the database dump, every media file and a manifest (row counts per
table, each file's size and sha256, the migration state, the app version, when it was made); the
``backup`` and ``restore`` management commands write and read it.
"""

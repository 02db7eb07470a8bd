"""The SQLite database under the data directory: WAL mode, a schema version and ordered migrations.

One connection per thread (SQLite connections must not be shared across threads); every write runs
inside `transaction()`, which takes the write lock up front so concurrent writers queue instead of
failing. Accounts, conversations and contact messages live here.
"""
from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# (version, SQL) in order. Never edit a released step: append a new one.
MIGRATIONS: list[tuple[int, str]] = [
    (1, """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL,
            email TEXT NOT NULL UNIQUE COLLATE NOCASE,
            password_hash TEXT NOT NULL,
            created_at REAL NOT NULL
        );
        CREATE TABLE login_failures (
            email TEXT NOT NULL COLLATE NOCASE,
            failed_at REAL NOT NULL
        );
        CREATE INDEX login_failures_email ON login_failures (email, failed_at);
    """),
    (2, """
        CREATE TABLE conversations (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            owner TEXT NOT NULL,
            kind TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        );
        CREATE INDEX conversations_owner ON conversations (owner, kind, updated_at);
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
            content TEXT NOT NULL,
            meta TEXT NOT NULL DEFAULT '{}',
            created_at REAL NOT NULL
        );
        CREATE INDEX messages_conversation ON messages (conversation_id, id);
    """),
    (3, """
        CREATE TABLE contact_messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL,
            email TEXT NOT NULL,
            subject TEXT NOT NULL DEFAULT '',
            message TEXT NOT NULL,
            user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
            created_at REAL NOT NULL
        );
    """),
    (4, """
        ALTER TABLE users ADD COLUMN hf_username TEXT;
        CREATE UNIQUE INDEX users_hf_username ON users (hf_username) WHERE hf_username IS NOT NULL;
    """),
    (5, """
        ALTER TABLE login_failures ADD COLUMN client TEXT NOT NULL DEFAULT '';
        CREATE INDEX login_failures_client ON login_failures (client, failed_at);
    """),
]


class Database:
    """A SQLite file with thread-local connections, migrated to the latest schema on open."""

    def __init__(self, path: Path | str, migrations: Sequence[tuple[int, str]] = MIGRATIONS):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._migrate(migrations)

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA foreign_keys=ON")
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection = connection
        return connection

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: commits on success, rolls back on any exception."""
        connection = self._connection()
        if connection.in_transaction:  # nested use joins the outer transaction
            yield connection
            return
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return self._connection().execute(sql, params).fetchall()

    def query_one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        return self._connection().execute(sql, params).fetchone()

    @property
    def schema_version(self) -> int:
        row = self.query_one("SELECT MAX(version) AS version FROM schema_version")
        return int(row["version"] or 0)

    def _migrate(self, migrations: Sequence[tuple[int, str]]) -> None:
        versions = [version for version, _ in migrations]
        if versions != sorted(set(versions)):
            raise ValueError("migrations must have increasing, unique versions")
        with self.transaction() as connection:
            connection.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at REAL NOT NULL)")
            current = connection.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()[0]
            for version, sql in migrations:
                if version <= current:
                    continue
                for statement in _statements(sql):
                    connection.execute(statement)
                connection.execute("INSERT INTO schema_version (version, applied_at) VALUES (?, julianday('now'))",
                                   (version,))

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None


def _statements(sql: str) -> list[str]:
    """Split a migration script into statements (executescript would commit our transaction)."""
    statements, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements

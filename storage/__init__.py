"""Where state lives: per-session guest data (memory + temp files) and per-user data (SQLite + files)."""

"""`python app.py contact [--json]`: list the messages sent through the Contact form."""
from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

from settings import get_settings
from storage.contact import ContactStore
from storage.db import Database


def contact_command(args) -> int:
    try:
        messages = ContactStore(Database(get_settings().db_path)).list()
    except Exception as error:  # unreadable or locked database file: one line, no traceback
        print(f"contact: cannot read the database: {error}", file=sys.stderr)
        return 1
    if getattr(args, "json", False):
        print(json.dumps([m.as_dict() for m in messages], ensure_ascii=False, indent=2))
        return 0
    if not messages:
        print("No contact messages.")
        return 0
    for m in messages:
        when = datetime.fromtimestamp(m.created_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
        print(f"#{m.id}  {when}  {m.name} <{m.email}>" + (f"  [{m.subject}]" if m.subject else ""))
        print("    " + m.message.replace("\n", "\n    "))
    return 0

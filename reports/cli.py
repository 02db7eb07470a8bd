"""`python app.py analyze FILE --json [--no-llm]`."""
from __future__ import annotations

import json
import sys

from reports.analysis import contract
from reports.extract import DocumentError


def analyze_command(args) -> int:
    """Print the contract JSON (or a readable table); bad input -> exit 2 with one line on stderr."""
    from reports.analysis import analyze_file
    from settings import get_settings

    try:
        analysis = analyze_file(args.file, settings=get_settings(), use_llm=not args.no_llm)
    except DocumentError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # never a traceback for the user
        print(f"error: could not analyse {args.file}: {type(error).__name__}: {error}".splitlines()[0], file=sys.stderr)
        return 1
    for note in analysis.document.notes:
        print(f"note: {note}", file=sys.stderr)
    if analysis.llm_note:
        print(f"note: {analysis.llm_note}".splitlines()[0], file=sys.stderr)
    payload = contract(analysis)
    explanation = payload["explanation"]
    if args.json:
        print(json.dumps(payload, ensure_ascii=False, indent=1))
    else:
        for r in analysis.parsed.results:
            print(r.describe())
        print()
        print(explanation)
    return 0

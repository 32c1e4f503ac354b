"""Printing for the `catalog` command: JSON for scripts, aligned text for people."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any

from catalog_app.domain.records import to_jsonable


def print_json(value: Any) -> None:
    json.dump(to_jsonable(value), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def print_pairs(pairs: Iterable[tuple[str, Any]], indent: str = "") -> None:
    rows = [(label, value) for label, value in pairs if value not in (None, "", (), [])]
    if not rows:
        return
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        lines = str(value).splitlines() or [""]
        print(f"{indent}{label.ljust(width)}  {lines[0]}")
        for line in lines[1:]:
            print(f"{indent}{' ' * width}  {line}")


def heading(text: str) -> None:
    print()
    print(text)
    print("-" * len(text))

"""Keeping Python's garbage collector out of the window's way.

A full collection walks every object the program holds and stops every thread while it does,
the GUI thread's too, whichever thread set it off. The modules, classes and tables loaded at
start-up are most of those objects (well over a hundred thousand) and live as long as the
program, so walking them finds nothing: once they are loaded, they are set aside (`gc.freeze`)
and a collection during a long write on the lane (a 10,000-record batch edit sets off several)
walks only what was made since. Measured by bench/gui_bench.py: a full collection took
100–170 ms before, a few milliseconds after.
"""

from __future__ import annotations

import gc

_frozen = False


def set_aside_what_start_up_loaded() -> None:
    """Collect once, then leave what is left out of later collections (once a process)."""
    global _frozen
    if _frozen:
        return
    _frozen = True
    gc.collect()
    gc.freeze()

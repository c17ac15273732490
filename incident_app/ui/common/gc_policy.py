"""The GUI process's garbage-collector policy.

Python's full (generation 2) collection walks every tracked object of the process while holding
the GIL, whichever thread triggers it: with the whole UI imported (about 100,000 objects: classes,
functions, Qt wrappers) one took 120-250 ms on the 2-core test machine, and a worker thread that
built a few thousand register rows set one off — the window froze for that long (measured with
gc.callbacks during a live refresh of 10,000 incidents). What exists once the window has shown
its first rows lives as long as the app, so it is moved out of the collector's sight
(``gc.freeze``): later full collections walk only what was created since."""

from __future__ import annotations

import gc

_frozen = False


def freeze_start_up_objects() -> bool:
    """Freeze what exists now, once per process (later calls do nothing); True when it froze.
    Nothing is freed by a collection first: that would be the very stall this avoids, and the
    few cycles left from start-up stay (a few kilobytes)."""
    global _frozen  # one process-wide policy
    if _frozen:
        return False
    _frozen = True
    gc.freeze()
    return True

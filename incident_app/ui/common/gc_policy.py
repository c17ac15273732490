"""The GUI process's garbage-collector policy.

Python's full (generation 2) collection walks every tracked object of the process while holding
the GIL, whichever thread triggers it: with the whole UI imported (about 100,000 objects: classes,
functions, Qt wrappers) one took 120-700 ms on the loaded 2-core test machine, and a worker thread
that built a few thousand register rows set one off — the window froze for that long (measured
with gc.callbacks during the start-up and a live refresh of 10,000 incidents). What exists once
the window is built lives as long as the app, and the register's rows hold no reference cycles
(they are freed by their reference count, frozen or not), so both are moved out of the
collector's sight (``gc.freeze``): later full collections walk only what was created since."""

from __future__ import annotations

import gc


def freeze_long_lived_objects() -> None:
    """Move every object that exists now out of the collector's sight (cheap: a list splice).
    Nothing is collected first: that would be the very stall this avoids; a cycle already
    garbage now stays in memory (a few kilobytes at start-up)."""
    gc.freeze()

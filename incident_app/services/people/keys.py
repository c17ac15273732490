r"""A compact index of dedupe keys (user id, email, phone) for a ten-million-row import.

A Python dict of a million 64-bit keys costs ~95 MB (measured); ten million people carry ~27
million keys. This open-addressing table keeps 5 bytes a slot: a one-byte tag in a bytearray
and a 32-bit word in an array — 7 more tag bits above the person's number (0, 1, 2, ... in id
order, see the importer's ``PersonNumbers``). Slots come from the key's digest modulo the table
size, so the size need not be a power of two: at 10 million people the table is ~150 MB
(the 8-byte words before it took 256 MB).

Probing is linear and runs in C: ``bytearray.find`` (memchr) finds the first empty slot of the
key's run and the slots in it with the key's one-byte tag, so a well-filled table (load up to
0.95) costs little more than an empty one. A slot whose 15 tag bits match is only a CANDIDATE:
the table does not hold the key, so the caller confirms it against the stored person
(``check``) and probing goes on past a candidate that is someone else's. Entries are never
removed or changed, and each one names a person who really has that key; the first confirmed
candidate is the first person registered with the key (a later entry goes after every entry
already in the run), as with the full digests the table held before.

The owner checks :meth:`crowded` between batches and :meth:`rebuild`\s a bigger table from the
stored people (the table cannot re-place its entries: it does not keep their digests)."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

# Per-kind salts keep a user id from colliding with an equal-looking phone or email string.
USER_ID_SALT = 0x2545F4914F6CDD1D
EMAIL_SALT = 0x1B873593A5A5A5A5
PHONE_SALT = 0x5BD1E9955BD1E995
_MIN_SLOTS = 1 << 12
# Slots past the last home slot, so a run near the end needs no wrap-around (a run this long
# at load 0.95 is far beyond anything linear probing produces).
_TAIL = 1 << 16
# crowded() is checked between batches, so a table always keeps room for one more batch's keys
# (3 keys x 5,000 rows, doubled for the merges' re-registrations).
_BATCH_ROOM = 32_768
# A new table is sized to be this full when the expected keys are in; it counts as crowded (and
# is rebuilt 1.5 times bigger) past MAX_LOAD. memchr probing keeps long runs cheap.
SIZE_LOAD = 0.9
MAX_LOAD = 0.95
# A person's number takes at least this many bits of the 32-bit word; the rest are tag bits.
_MIN_NUMBER_BITS = 25
_WORD_BITS = 32


def digest(value: str, salt: int) -> int:
    """A non-zero 64-bit digest of ``value`` for one key kind."""
    return (hash(value) ^ salt) or 1


class TableFullError(RuntimeError):
    """A run reached the end of the table (never seen; the import rolls back)."""


class KeyIndex:
    """digest -> the number of the first person registered with that key (numbers >= 0).

    ``people`` is how many person numbers the table must be able to hold."""

    def __init__(self, expected_keys: int = 0, people: int = 0) -> None:
        self._allocate(max(int(expected_keys / SIZE_LOAD), _MIN_SLOTS), people)

    def _allocate(self, slots: int, people: int) -> None:
        self._size = slots
        number_bits = max(_MIN_NUMBER_BITS, (people + 2 * _BATCH_ROOM).bit_length())
        self._shift = min(number_bits, _WORD_BITS)
        self._extra = (1 << (_WORD_BITS - self._shift)) - 1
        self._people = (1 << self._shift) - 1
        # Zero-filled in place (no temporary copy): a zero tag marks an empty slot.
        self._tags = bytearray(slots + _TAIL)
        self._words = array("I", [0]) * (slots + _TAIL)
        self._used = 0
        self._limit = min(int(slots * MAX_LOAD), slots + _TAIL - _BATCH_ROOM)

    def __len__(self) -> int:
        return self._used

    def _run(self, key: int) -> tuple[int, int, int, int]:
        """(home slot, one-byte tag, extra tag bits, first empty slot) of ``key``."""
        home = key % self._size
        empty = self._tags.find(0, home)
        if empty < 0:
            raise TableFullError("the dedupe table has no free slot after a key's home slot")
        return home, (key >> 56) & 0xFF or 1, (key >> 40) & self._extra, empty

    def candidates(self, key: int) -> Iterable[int]:
        """Numbers of the people whose entries carry ``key``'s tag, first registered first."""
        home, tag, extra, empty = self._run(key)
        find, words, shift = self._tags.find, self._words, self._shift
        slot = find(tag, home, empty)
        while slot >= 0:
            word = words[slot]
            if word >> shift == extra:
                yield word & self._people
            slot = find(tag, slot + 1, empty)

    def find(self, key: int, check: Callable[[int], T | None]) -> T | None:
        """``check(number)`` of the first candidate for which it is not None (the caller's
        confirmation that this person really has the key), or None."""
        for number in self.candidates(key):
            found = check(number)
            if found is not None:
                return found
        return None

    def add(self, key: int, number: int) -> None:
        """Register ``key`` for person ``number`` (the caller knows nobody holds it yet)."""
        _home, tag, extra, empty = self._run(key)
        self._tags[empty] = tag
        self._words[empty] = (extra << self._shift) | number
        self._used += 1

    def claim(self, user_key: int, email_key: int, phone_key: int, number: int) -> bool:
        """Register a new person's keys (0 = absent) in one call if no entry carries the tag
        of any of them; otherwise register none and return False, and the caller decides
        (a repeat, another person's key, or only a tag shared by chance). One call per row
        instead of three: this is the importer's innermost loop."""
        tags, words, size, shift, extra_mask = self._tags, self._words, self._size, self._shift, self._extra
        find = tags.find
        first = second = -1
        placed = 0  # counted into _used once, at the end: an attribute write per key costs more
        for key in (user_key, email_key, phone_key):
            if not key:
                continue
            home = key % size
            tag = (key >> 56) & 0xFF or 1
            extra = (key >> 40) & extra_mask
            if tags[home]:
                empty = find(0, home)
                if empty < 0:
                    raise TableFullError("the dedupe table has no free slot after a key's home slot")
                slot = find(tag, home, empty)
                while slot >= 0:
                    if words[slot] >> shift == extra:
                        # Undo this row's entries, newest first: nothing else was added since, so
                        # the table is exactly as it was.
                        for undo in (second, first):
                            if undo >= 0:
                                tags[undo] = 0
                        return False
                    slot = find(tag, slot + 1, empty)
            else:
                # An empty home slot (half the keys at half load) is the run's first empty slot
                # and has no candidates: one byte read instead of two find() calls.
                empty = home
            tags[empty] = tag
            words[empty] = (extra << shift) | number
            placed += 1
            if first < 0:
                first = empty
            else:
                second = empty
        self._used += placed
        return True

    def claim_rows(self, rows: Sequence[Sequence[Any]], start: int, number: int,
                   positions: tuple[int, int, int]) -> int:
        """:meth:`claim` for ``rows[start]``, ``rows[start + 1]``, ... as people ``number``,
        ``number + 1``, ... (their user id, e-mail and phone at ``positions``, "" when absent,
        digested as :func:`digest` does) until a row with a taken tag: return its index, none
        of its keys registered (``len(rows)`` when every row was claimed).

        The import's innermost loop: one call per run of new rows instead of one per row, the
        table's fields read once per run. It repeats claim()'s probing inline (a call per key
        would cost what it saves); test_people_keys holds the two equal."""
        tags, words, size, shift, extra_mask = self._tags, self._words, self._size, self._shift, self._extra
        find = tags.find
        user_at, email_at, phone_at = positions
        placed = 0
        try:
            for index in range(start, len(rows)):
                row = rows[index]
                user_id, email, phone = row[user_at], row[email_at], row[phone_at]
                first = second = -1
                for key in ((hash(user_id) ^ USER_ID_SALT) or 1 if user_id else 0,
                            (hash(email) ^ EMAIL_SALT) or 1 if email else 0,
                            (hash(phone) ^ PHONE_SALT) or 1 if phone else 0):
                    if not key:
                        continue
                    home = key % size
                    tag = (key >> 56) & 0xFF or 1
                    extra = (key >> 40) & extra_mask
                    if tags[home]:
                        empty = find(0, home)
                        if empty < 0:
                            raise TableFullError("the dedupe table has no free slot after a key's home slot")
                        slot = find(tag, home, empty)
                        while slot >= 0:
                            if words[slot] >> shift == extra:
                                for undo in (second, first):  # as in claim()
                                    if undo >= 0:
                                        tags[undo] = 0
                                        placed -= 1
                                return index
                            slot = find(tag, slot + 1, empty)
                    else:
                        empty = home
                    tags[empty] = tag
                    words[empty] = (extra << shift) | number
                    placed += 1
                    if first < 0:
                        first = empty
                    else:
                        second = empty
                number += 1
            return len(rows)
        finally:
            self._used += placed

    def crowded(self, next_number: int = 0) -> bool:
        """Fuller than MAX_LOAD (or without room for another batch's keys or people): rebuild
        bigger before the next batch."""
        return self._used > self._limit or next_number > self._people - 2 * _BATCH_ROOM

    def rebuild(self, people: int, register: Callable[[KeyIndex], None]) -> None:
        """Start over 1.5 times bigger (the old table is let go first), for ``people``
        numbers; ``register(self)`` then adds the entries again."""
        slots = max(int(self._size * 1.5), int(self._used / SIZE_LOAD))
        self._tags = bytearray()
        self._words = array("I")
        self._allocate(slots, people)
        register(self)

    def nbytes(self) -> int:
        """Memory held by the table."""
        return len(self._tags) + self._words.itemsize * len(self._words)


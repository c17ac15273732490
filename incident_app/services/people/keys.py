r"""A compact index of dedupe keys (user id, email, phone) for a million-row import.

A Python dict of a million 64-bit keys costs ~95 MB (measured); three of them would break the
300 MB budget. This open-addressing table packs each entry into ONE 64-bit word — the upper 32
bits of the key's digest plus a 32-bit person value — in a flat array: 8 bytes a slot, and one
cache miss per probe (with separate key and value arrays the million-row import spent a third
of its time waiting for memory). The slot comes from the digest's low bits, so two keys are
confused only if ~55 bits agree; a hit is still only a candidate: the importer compares the real
stored value before merging.

Because a word keeps only the high half of the digest, the table cannot re-place its entries
when it fills up: the owner checks :meth:`crowded` between batches and :meth:`rebuild`\s it
from the stored people."""

from __future__ import annotations

from array import array
from collections.abc import Iterable

# Per-kind salts keep a user id from colliding with an equal-looking phone or email string.
USER_ID_SALT = 0x2545F4914F6CDD1D
EMAIL_SALT = 0x1B873593A5A5A5A5
PHONE_SALT = 0x5BD1E9955BD1E995
_MIN_BITS = 16
# crowded() is checked between batches, so a table always keeps room for one more batch's keys
# (3 keys x 5,000 rows, doubled for the merges' re-registrations).
_BATCH_ROOM = 32_768
# Linear probing stays short up to here (about 3.5 probes a lookup on average at the end). At
# 10 million people (27 million keys) the difference between 1/2 and this is a 512 MB or a
# 256 MB table.
MAX_LOAD = 0.85
_LOW = 0xFFFFFFFF


def digest(value: str, salt: int) -> int:
    """A non-zero 64-bit digest of ``value`` for one key kind."""
    return (hash(value) ^ salt) or 1


def _unpack(word: int) -> int:
    value = word & _LOW
    return value - (1 << 32) if value & 0x80000000 else value


class KeyIndex:
    """digest -> person value (a non-zero int that fits 32 bits), linear probing, load <= MAX_LOAD."""

    def __init__(self, expected_keys: int = 0) -> None:
        bits = _MIN_BITS
        while _limit(bits) < expected_keys:
            bits += 1
        self._allocate(bits)

    def _allocate(self, bits: int) -> None:
        self._mask = (1 << bits) - 1
        # Repeating a one-word array fills the table in place: array("q", bytes(n)) would first
        # build the n zero bytes and copy them, holding the table twice at its allocation.
        self._words = array("q", [0]) * (1 << bits)
        self._used = 0
        self._limit = _limit(bits)

    def __len__(self) -> int:
        return self._used

    def _slot(self, key: int) -> tuple[int, int]:
        """(slot holding ``key`` or the empty slot where it would go, its word)."""
        words, mask, tag = self._words, self._mask, (key >> 32) | 1
        slot = key & mask
        word = words[slot]
        while word and (word >> 32) != tag:
            slot = (slot + 1) & mask
            word = words[slot]
        return slot, word

    def get(self, key: int) -> int:
        """The value stored for ``key``, or 0."""
        word = self._slot(key)[1]
        return _unpack(word) if word else 0

    def setdefault(self, key: int, value: int) -> int:
        """Store ``value`` if ``key`` is new and return 0; otherwise return the stored value."""
        slot, word = self._slot(key)
        if word:
            return _unpack(word)
        self._store(slot, key, value, new=True)
        return 0

    def set(self, key: int, value: int) -> None:
        """Store or overwrite."""
        slot, word = self._slot(key)
        self._store(slot, key, value, new=not word)

    def _store(self, slot: int, key: int, value: int, *, new: bool) -> None:
        self._words[slot] = (((key >> 32) | 1) << 32) | (value & _LOW)
        self._used += new

    def claim(self, user_key: int, email_key: int, phone_key: int, value: int) -> bool:
        """Register a new person's keys (0 = absent) in one call; False at the first key that
        is already taken — by anyone for the user id, and for email/phone by a person without
        a user id or by anyone when this person has none (a negative value marks a user id).
        One call per row instead of three: this is the importer's innermost loop."""
        words, mask = self._words, self._mask
        low = value & _LOW
        for key in (user_key, email_key, phone_key):
            if not key:
                continue
            tag = (key >> 32) | 1
            slot = key & mask
            word = words[slot]
            while word and (word >> 32) != tag:
                slot = (slot + 1) & mask
                word = words[slot]
            if word:
                if key == user_key or not (user_key and word & 0x80000000):
                    return False
                continue
            words[slot] = (tag << 32) | low
            self._used += 1
        return True

    def crowded(self) -> bool:
        """Fuller than MAX_LOAD (or without room for another batch): probes get long; rebuild
        bigger before the next batch."""
        return self._used > self._limit

    def rebuild(self, entries: Iterable[tuple[int, int]]) -> None:
        """Start over at twice the size from (key, value) pairs (the old table is let go first)."""
        bits = self._mask.bit_length() + 1
        self._words = array("q")
        self._allocate(bits)
        for key, value in entries:
            self.setdefault(key, value)

    def nbytes(self) -> int:
        """Memory held by the table."""
        return self._words.itemsize * len(self._words)


def _limit(bits: int) -> int:
    """How many keys a table of 2**bits slots takes before it counts as crowded."""
    return min(int((1 << bits) * MAX_LOAD), (1 << bits) - _BATCH_ROOM)

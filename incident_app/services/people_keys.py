"""A compact index of dedupe keys (user id, email, phone) for a million-row import.

A Python dict of a million 64-bit keys costs ~95 MB (measured); three of them would break the
300 MB budget. This open-addressing table keeps each key as an 8-byte digest plus a 4-byte
person number in two flat arrays (~12-24 bytes a key). Digests can collide, so a hit is only a
candidate: the importer compares the real stored value before merging."""

from __future__ import annotations

from array import array

# Per-kind salts keep a user id from colliding with an equal-looking phone or email string.
USER_ID_SALT = 0x2545F4914F6CDD1D
EMAIL_SALT = 0x1B873593A5A5A5A5
PHONE_SALT = 0x5BD1E9955BD1E995
_MIN_BITS = 12


def digest(value: str, salt: int) -> int:
    """A non-zero 64-bit digest of ``value`` for one key kind (0 marks an empty slot)."""
    return (hash(value) ^ salt) or 1


class KeyIndex:
    """digest -> person value (a non-zero int that fits 32 bits), linear probing, load <= 1/2."""

    def __init__(self, expected_keys: int = 0) -> None:
        bits = max(_MIN_BITS, (max(expected_keys, 1) * 2).bit_length())
        self._allocate(bits)

    def _allocate(self, bits: int) -> None:
        self._mask = (1 << bits) - 1
        self._keys = array("q", bytes(8 << bits))
        self._values = array("i", bytes(4 << bits))
        self._used = 0
        self._limit = (1 << bits) // 2

    def __len__(self) -> int:
        return self._used

    def get(self, key: int) -> int:
        """The value stored for ``key``, or 0."""
        keys, mask = self._keys, self._mask
        slot = key & mask
        found = keys[slot]
        while found:
            if found == key:
                return self._values[slot]
            slot = (slot + 1) & mask
            found = keys[slot]
        return 0

    def setdefault(self, key: int, value: int) -> int:
        """Store ``value`` if ``key`` is new and return 0; otherwise return the stored value."""
        keys, mask = self._keys, self._mask
        slot = key & mask
        found = keys[slot]
        while found:
            if found == key:
                return self._values[slot]
            slot = (slot + 1) & mask
            found = keys[slot]
        keys[slot] = key
        self._values[slot] = value
        self._used += 1
        if self._used > self._limit:
            self._grow()
        return 0

    def set(self, key: int, value: int) -> None:
        """Store or overwrite."""
        keys, mask = self._keys, self._mask
        slot = key & mask
        while keys[slot] and keys[slot] != key:
            slot = (slot + 1) & mask
        if not keys[slot]:
            keys[slot] = key
            self._used += 1
        self._values[slot] = value
        if self._used > self._limit:
            self._grow()

    def _grow(self) -> None:
        old_keys, old_values = self._keys, self._values
        self._allocate(self._mask.bit_length() + 1)
        for slot, key in enumerate(old_keys):
            if key:
                self.set(key, old_values[slot])

    def nbytes(self) -> int:
        """Memory held by the two arrays."""
        return self._keys.itemsize * len(self._keys) + self._values.itemsize * len(self._values)

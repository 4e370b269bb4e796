"""A compact int64 -> int64 hash map for duplicate detection over millions of examples.

A dict of Python ints costs ~100 bytes an entry; this keeps keys and values in two arrays
(16 bytes a slot, at most 60% full), so a 1 GB file's 600k examples need ~16 MB, not ~60 MB.
Keys are already uniform (blake2b digests), so the low bits index the table directly.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable

_EMPTY = 0


class KeyTable:
    def __init__(self, capacity: int = 1 << 12) -> None:
        size = 1
        while size < capacity:
            size <<= 1
        self._keys = array("q", bytes(8 * size))
        self._values = array("q", bytes(8 * size))
        self._mask = size - 1
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def setdefault(self, key: int, value: int) -> int | None:
        """The value stored for `key`, or None after storing `value` for it (first time seen)."""
        if key == _EMPTY:
            key = 1  # 0 marks an empty slot; one key in 2**64 shares a slot with key 1
        keys, mask = self._keys, self._mask
        i = key & mask
        while True:
            k = keys[i]
            if k == key:
                return self._values[i]
            if k == _EMPTY:
                keys[i] = key
                self._values[i] = value
                self._count += 1
                if self._count * 5 > (mask + 1) * 3:
                    self._grow()
                return None
            i = (i + 1) & mask

    def get(self, key: int) -> int | None:
        if key == _EMPTY:
            key = 1
        keys, mask = self._keys, self._mask
        i = key & mask
        while True:
            k = keys[i]
            if k == key:
                return self._values[i]
            if k == _EMPTY:
                return None
            i = (i + 1) & mask

    def setdefault_many(self, keys: Iterable[int], values: Iterable[int]) -> list[tuple[int, int]]:
        """setdefault for each (key, value) in turn, in one call: [(position, stored value)] for the keys
        that were there already (earlier or in this call); the rest are stored."""
        found = []
        keys_, values_, mask = self._keys, self._values, self._mask
        for position, (key, value) in enumerate(zip(keys, values)):
            if key == _EMPTY:
                key = 1
            i = key & mask
            while True:
                k = keys_[i]
                if k == key:
                    found.append((position, values_[i]))
                    break
                if k == _EMPTY:
                    keys_[i] = key
                    values_[i] = value
                    self._count += 1
                    if self._count * 5 > (mask + 1) * 3:
                        self._grow()
                        keys_, values_, mask = self._keys, self._values, self._mask
                    break
                i = (i + 1) & mask
        return found

    def _grow(self) -> None:
        old_keys, old_values = self._keys, self._values
        size = (self._mask + 1) * 2
        keys = self._keys = array("q", bytes(8 * size))
        values = self._values = array("q", bytes(8 * size))
        mask = self._mask = size - 1
        for k, v in zip(old_keys, old_values):  # every key is distinct: no need to compare, only to probe
            if k != _EMPTY:
                i = k & mask
                while keys[i] != _EMPTY:
                    i = (i + 1) & mask
                keys[i] = k
                values[i] = v

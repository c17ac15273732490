"""The dedupe table (keys.KeyIndex): tags are only candidates, confirmed by the caller; a
shared tag never hides a key; rebuilds keep every entry."""

from __future__ import annotations

from incident_app.services.people.keys import EMAIL_SALT, PHONE_SALT, USER_ID_SALT, KeyIndex, digest


def confirm(holders: dict[int, set[int]], key: int):  # type: ignore[no-untyped-def]
    """A check() that accepts person ``number`` when the test says they hold ``key``."""
    return lambda number: number if number in holders.get(key, set()) else None


def test_claim_registers_new_keys_and_refuses_any_taken_tag() -> None:
    index = KeyIndex(10)
    uid, email, phone = digest("U1", USER_ID_SALT), digest("a@x.cn", EMAIL_SALT), digest("+8613800138000", PHONE_SALT)
    assert index.claim(uid, email, phone, 1)
    assert len(index) == 3
    assert [list(index.candidates(k)) for k in (uid, email, phone)] == [[1], [1], [1]]
    other = digest("U2", USER_ID_SALT)
    # The email is taken: nothing of this row is registered (the caller decides).
    assert not index.claim(other, email, 0, 2)
    assert len(index) == 3 and list(index.candidates(other)) == []
    assert not index.claim(0, 0, phone, 3)


def test_a_shared_tag_is_only_a_candidate() -> None:
    index = KeyIndex(10)
    # Two keys with the same home slot and the same 64 low bits (so the same tag): the table
    # cannot tell them apart.
    first = digest("a@x.cn", EMAIL_SALT)
    second = first + (index._size << 64)  # the test builds keys that share a home slot
    assert index.claim(0, first, 0, 4)
    assert not index.claim(0, second, 0, 9)  # the tag is taken: the caller confirms and finds it is not theirs
    holders = {first: {4}, second: {9}}
    assert index.find(second, confirm(holders, second)) is None
    index.add(second, 9)
    assert list(index.candidates(second)) == [4, 9]
    assert index.find(first, confirm(holders, first)) == 4
    assert index.find(second, confirm(holders, second)) == 9


def test_every_key_of_a_tiny_crowded_table_is_found_and_rebuild_keeps_them() -> None:
    index = KeyIndex(0)
    keys = [digest(f"user{i}@example.com", EMAIL_SALT) for i in range(40_000)]
    for number, key in enumerate(keys):
        if not index.claim(0, key, 0, number):
            index.add(key, number)
    holders = {key: {number} for number, key in enumerate(keys)}
    assert index.crowded()
    before = index.nbytes()

    def register(again: KeyIndex) -> None:
        for number, key in enumerate(keys):
            again.add(key, number)

    index.rebuild(len(keys), register)
    assert not index.crowded() and index.nbytes() > before
    assert all(index.find(key, confirm(holders, key)) == number for number, key in enumerate(keys))
    assert index.find(digest("nobody", EMAIL_SALT), confirm(holders, 0)) is None


def test_numbers_beyond_the_word_make_the_table_crowded() -> None:
    index = KeyIndex(10, people=0)
    assert not index.crowded(1000)
    assert index.crowded(1 << 25)


def test_a_refused_claim_takes_back_the_keys_it_placed_and_a_taken_home_slot_sends_a_key_along_the_run() -> None:
    index = KeyIndex(10)
    phone = digest("+8613800138000", PHONE_SALT)
    assert index.claim(0, 0, phone, 1)
    # A new user id and e-mail come before the taken phone: both were placed, then taken back.
    uid, email = digest("U2", USER_ID_SALT), digest("b@x.cn", EMAIL_SALT)
    assert not index.claim(uid, email, phone, 2)
    assert len(index) == 1 and list(index.candidates(uid)) == [] and list(index.candidates(email)) == []
    assert index.claim(uid, email, 0, 3)
    assert len(index) == 3 and list(index.candidates(uid)) == [3] and list(index.candidates(email)) == [3]
    # A key whose home slot another key holds (another tag) lands on the run's next empty slot.
    neighbour = phone + (index._size << 32) + (1 << 56)  # same home slot, another one-byte tag
    assert (neighbour >> 56) & 0xFF != (phone >> 56) & 0xFF
    assert index.claim(0, 0, neighbour, 4)
    assert len(index) == 4 and list(index.candidates(neighbour)) == [4] and list(index.candidates(phone)) == [1]


def test_claim_rows_registers_what_claim_does_row_by_row_and_stops_at_the_first_taken_tag() -> None:
    """claim_rows() inlines claim(): over the same rows (repeats, absent keys, a row sharing
    only a phone) both tables end byte for byte the same, and it stops where claim() refuses."""
    rows = [(f"U{i}" if i % 7 else "", f"user{i % 50}@x.cn" if i % 3 else "", f"+86138{i:08d}" if i % 5 else "")
            for i in range(200)]
    by_row, in_runs = KeyIndex(600, 200), KeyIndex(600, 200)
    refused = []
    for number, (uid, email, phone) in enumerate(rows):
        keys = [digest(v, salt) if v else 0 for v, salt in ((uid, USER_ID_SALT), (email, EMAIL_SALT),
                                                               (phone, PHONE_SALT))]
        if not by_row.claim(*keys, number):
            refused.append(number)
    assert refused  # the e-mails repeat every 50 rows
    stops, start = [], 0
    while start < len(rows):
        stop = in_runs.claim_rows(rows, start, start, (0, 1, 2))
        if stop < len(rows):
            stops.append(stop)
        start = stop + 1
    assert stops == refused
    assert len(in_runs) == len(by_row)
    assert in_runs._tags == by_row._tags and in_runs._words == by_row._words

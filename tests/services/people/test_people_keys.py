from __future__ import annotations

from incident_app.services.people.keys import EMAIL_SALT, PHONE_SALT, USER_ID_SALT, KeyIndex, digest


def test_claim_registers_new_keys_and_stops_at_a_repeat() -> None:
    index = KeyIndex(10)
    uid, email, phone = digest("U1", USER_ID_SALT), digest("a@x.cn", EMAIL_SALT), digest("+8613800138000", PHONE_SALT)
    assert index.claim(uid, email, phone, -1)  # person 1, who has a user id
    assert (index.get(uid), index.get(email), index.get(phone)) == (-1, -1, -1)
    assert not index.claim(uid, 0, 0, -2)  # the same user id again
    other = digest("U2", USER_ID_SALT)
    assert index.claim(other, email, 0, -3)  # another user id sharing the email: a different person
    assert index.get(email) == -1 and index.get(other) == -3
    assert not index.claim(0, email, 0, 4)  # no user id, same email: a repeat of person 1


def test_rebuild_grows_and_keeps_every_entry() -> None:
    index = KeyIndex(0)
    keys = [digest(f"user{i}@example.com", EMAIL_SALT) for i in range(40_000)]
    for number, key in enumerate(keys, start=1):
        index.setdefault(key, number)
    assert index.crowded()
    before = index.nbytes()
    index.rebuild((key, number) for number, key in enumerate(keys, start=1))
    assert not index.crowded() and index.nbytes() == 2 * before
    assert [index.get(k) for k in keys[:3]] == [1, 2, 3] and index.get(digest("nobody", EMAIL_SALT)) == 0


def test_set_overwrites() -> None:
    index = KeyIndex(4)
    key = digest("x", PHONE_SALT)
    index.set(key, 5)
    index.set(key, -7)
    assert index.get(key) == -7 and len(index) == 1


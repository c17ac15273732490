"""The register's people per channel from the people *now* on the list, each matched to their own
rows of the send ledger (the guardian's for a child) by key and by the contact the row went to:
every person lands in exactly one column, rows of people since replaced or sent to an address
since corrected tell nobody, and the query is one index seek per person (EXPLAIN QUERY PLAN and
SQLite's instruction count, never a timing)."""

from __future__ import annotations

from pathlib import Path

from incident_app.services.container import open_services
from incident_app.storage.send_ledger import TOLD_BUCKETS

COLUMNS = ("incident_id", "id", "source_row", "user_id", "name", "email", "phone", "address", "guardian_email",
           "guardian_phone", "data_types", "language", "channel", "is_minor", "merged_rows", "minor_band")
STAMP = "2026-11-20T09:00:00+08:00"


def row(i: int, user: str, channel: str, *, email: str = "", phone: str = "", address: str = "",
        guardian_email: str = "", guardian_phone: str = "", band: str = "adult") -> tuple[object, ...]:
    return (1, i, i, user, "张三", email, phone, address, guardian_email, guardian_phone, "phone_number", "zh-CN",
            channel, int(band != "adult"), 0, band)


# (person, their ledger rows: (key, kind, channel, state, to_address, fallback), the column expected)
CASES: list[tuple[tuple[object, ...], list[tuple[str, str, str, str, str, str | None]], str]] = [
    (row(1, "U1", "email", email="u1@example.test"),
     [("U1", "individual", "email", "sent", "U1@Example.test ", None)], "notified_email"),  # case and spaces aside
    (row(2, "U2", "email", email="u2-new@example.test"),
     [("U2", "individual", "email", "sent", "u2@example.test", None)], "pending_email"),  # address since corrected
    (row(3, "U3", "email", email="u3@example.test"), [], "pending_email"),  # not in the ledger yet
    (row(4, "U4", "email", email="u4@example.test"),
     [("U4", "individual", "email", "queued", "u4@example.test", None)], "pending_email"),
    (row(5, "U5", "email", email="u5@example.test", phone="+8613800000005"),
     [("U5", "individual", "email", "failed", "u5@example.test", "sms")], "pending_sms"),
    (row(6, "U6", "email", email="u6@example.test", phone="+8613800000006"),
     [("U6", "individual", "email", "failed", "u6@example.test", "sms"),
      ("U6", "individual", "sms", "sent", "+8613800000006", None)], "told_otherwise"),  # the fallback SMS reported
    (row(7, "U7", "email", email="u7@example.test", address="北京市一号路7号"),
     [("U7", "individual", "email", "failed", "u7@example.test", "letter")], "pending_letter"),
    (row(8, "U8", "email", email="u8@example.test"),
     [("U8", "individual", "email", "failed", "u8@example.test", "announcement")], "announcement_people"),
    (row(9, "U9", "email", email="u9@example.test"),
     [("U9", "individual", "email", "failed", "u9@example.test", None)], "pending_email"),  # no fallback chosen
    (row(10, "U10", "sms", phone="+8613800000010"),
     [("U10", "individual", "sms", "sent", "+8613800000010", None)], "told_otherwise"),
    (row(11, "U11", "sms", phone="+8613800000011"),
     [("U11", "individual", "sms", "queued", "+8613800000011", None)], "pending_sms"),
    (row(12, "", "letter", address="上海市二号路12号"), [], "pending_letter"),
    (row(13, "", "letter", address="上海市二号路13号"),
     [("person-13", "individual", "platform", "sent", "", None)], "told_otherwise"),  # the platform's letter
    (row(14, "U14", "none"), [], "announcement_people"),
    # A child: the guardian's row counts, never one to the child.
    (row(15, "C15", "guardian_email", guardian_email="g15@example.test", band="child"),
     [("C15#guardian", "guardian", "email", "sent", "g15@example.test", None)], "notified_email"),
    (row(16, "C16", "guardian_email", guardian_email="g16@example.test", band="child"),
     [("C16", "individual", "email", "sent", "g16@example.test", None)], "pending_email"),
    # A teenager and their guardian: two e-mails, one person.
    (row(17, "T17", "email", email="t17@example.test", guardian_email="g17@example.test", band="teen"),
     [("T17", "minor", "email", "sent", "t17@example.test", None),
      ("T17#guardian", "guardian", "email", "sent", "g17@example.test", None)], "notified_email"),
    # Somebody since replaced: their sent rows tell nobody on the list (and U18 is waiting).
    (row(18, "U18", "email", email="u18@example.test"),
     [("GONE", "individual", "email", "sent", "u18@example.test", None)], "pending_email"),
]


def test_each_person_now_on_the_list_lands_in_one_column_and_costs_one_seek(
        tmp_path: Path, intake: dict[str, object]) -> None:
    services = open_services(tmp_path / "d.sqlite3")
    try:
        store = services.ctx.store
        assert services.incidents.create(intake).id == 1
        people = [person for person, _, _ in CASES]
        with store.transaction():
            first = store.people.begin_range(1)
            store.db.conn.executemany(
                f"INSERT INTO people ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})", people)
            # Many people with nothing sent, so the instruction count below says "per person".
            store.db.conn.executemany(
                f"INSERT INTO people ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                [row(i, f"X{i}", "email", email=f"x{i}@example.test") for i in range(100, 2100)])
            store.people.end_range(1, first, 2100)
            rows = [(key, kind, channel, state, to, fallback)
                    for _, ledger, _ in CASES for key, kind, channel, state, to, fallback in ledger]
            store.db.conn.executemany(
                "INSERT INTO send_ledger (incident_id, recipient_key, notice_kind, notice_version, to_address,"
                " message_id, state, attempts, in_doubt, queued_at, updated_at, channel, fallback)"
                " VALUES (1,?,?,?,?,?,?,1,0,?,?,?,?)",  # each channel has versions of its own
                [(k, kind, f"{channel}-v1", to, f"<{n}@x>", state, STAMP, STAMP, channel, fallback)
                 for n, (k, kind, channel, state, to, fallback) in enumerate(rows)])
        steps = [0]

        def count_steps() -> int:
            steps[0] += 1
            return 0

        store.db.conn.set_progress_handler(count_steps, 100)
        told = store.send_ledger.people_told(1, store.people.ranges(1))
        store.db.conn.set_progress_handler(None, 0)
        expected = dict.fromkeys(TOLD_BUCKETS, 0)
        for _, _, column in CASES:
            expected[column] += 1
        expected["pending_email"] += 2000
        assert told == expected
        assert sum(told.values()) == len(CASES) + 2000  # each person once
        # A few dozen instructions per person (a scan of the ledger per person would be thousands).
        assert steps[0] * 100 < 2018 * 150, f"{steps[0] * 100} SQLite instructions for 2,018 people"
        plan = store.send_ledger.people_told_plan(1)
        assert any(line.startswith("SEARCH p USING INTEGER PRIMARY KEY") for line in plan), plan
        assert any(line.startswith("SEARCH l USING INDEX") and "recipient_key=?" in line for line in plan), plan
        # The per-person subquery runs once per person (a co-routine), not once per column.
        assert any(line.startswith("CO-ROUTINE") for line in plan), plan
        assert not any("TEMP B-TREE" in line or line.startswith(("SCAN p", "SCAN l")) for line in plan), plan
    finally:
        services.close()



# People whose contact was corrected and whose notice went again as a new row (contact_seq + 1,
# the old row kept): (person, their rows (channel, contact_seq, state, to_address, fallback), column).
CORRECTED: list[tuple[tuple[object, ...], list[tuple[str, int, str, str, str | None]], str]] = [
    (row(1, "V1", "email", email="v1-new@example.test"),
     [("email", 0, "sent", "v1@example.test", None), ("email", 1, "sent", "v1-new@example.test", None)],
     "notified_email"),  # told at both addresses: one person
    (row(2, "V2", "email", email="v2-new@example.test"),
     [("email", 0, "sent", "v2@example.test", None), ("email", 1, "queued", "v2-new@example.test", None)],
     "pending_email"),
    # Corrected back to the first address after the second row went out: the latest row went
    # elsewhere, so the sender e-mails them again, and they wait for it.
    (row(3, "V3", "email", email="v3@example.test"),
     [("email", 0, "sent", "v3@example.test", None), ("email", 1, "sent", "v3-wrong@example.test", None)],
     "pending_email"),
    (row(4, "V4", "email", email="v4-new@example.test", address="北京市一号路4号"),
     [("email", 0, "failed", "v4@example.test", "letter"), ("email", 1, "sent", "v4-new@example.test", None)],
     "notified_email"),  # the old address's failure and its letter fallback are history
    (row(5, "V5", "sms", phone="+8613700000005"),
     [("sms", 0, "sent", "+8613800000005", None), ("sms", 1, "queued", "+8613700000005", None)], "pending_sms"),
    (row(6, "", "letter", address="广州市三号路6号"),
     [("platform", 0, "sent", "上海市二号路6号", None), ("platform", 1, "sent", "广州市三号路6号", None)],
     "told_otherwise"),
]


def test_a_person_whose_contact_was_corrected_is_counted_once_by_their_latest_row(
        tmp_path: Path, intake: dict[str, object]) -> None:
    services = open_services(tmp_path / "d.sqlite3")
    try:
        store = services.ctx.store
        assert services.incidents.create(intake).id == 1
        with store.transaction():
            first = store.people.begin_range(1)
            store.db.conn.executemany(
                f"INSERT INTO people ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                [person for person, _, _ in CORRECTED])
            store.people.end_range(1, first, len(CORRECTED) + 1)
            rows = [(person[3] or f"person-{person[1]}", channel, seq, state, to, fallback)
                    for person, ledger, _ in CORRECTED for channel, seq, state, to, fallback in ledger]
            store.db.conn.executemany(
                "INSERT INTO send_ledger (incident_id, recipient_key, notice_kind, notice_version, to_address,"
                " message_id, state, attempts, in_doubt, queued_at, updated_at, channel, fallback, contact_seq)"
                " VALUES (1,?,'individual',?,?,?,?,1,0,?,?,?,?,?)",
                [(k, f"{channel}-v1", to, f"<{n}@x>", state, STAMP, STAMP, channel, fallback, seq)
                 for n, (k, channel, seq, state, to, fallback) in enumerate(rows)])
        told = store.send_ledger.people_told(1, store.people.ranges(1))
        expected = dict.fromkeys(TOLD_BUCKETS, 0)
        for _, _, column in CORRECTED:
            expected[column] += 1
        assert told == expected
        assert sum(told.values()) == len(CORRECTED)  # twelve rows, six people
        plan = store.send_ledger.people_told_plan(1)
        # The later row of the same recipient is a seek of the unique index too.
        assert any(line.startswith("SEARCH n USING") and "contact_seq>?" in line for line in plan), plan
        assert not any("TEMP B-TREE" in line or line.startswith(("SCAN p", "SCAN l", "SCAN n")) for line in plan), plan
    finally:
        services.close()

def test_teenagers_guardians_are_counted_by_how_they_are_told_and_matched_by_their_own_row(
        tmp_path: Path, intake: dict[str, object]) -> None:
    services = open_services(tmp_path / "d.sqlite3")
    try:
        store = services.ctx.store
        assert services.incidents.create(intake).id == 1
        people = [
            row(1, "T1", "email", email="t1@example.test", guardian_email="g1@example.test", band="teen"),
            row(2, "T2", "email", email="t2@example.test", guardian_email="g2-new@example.test", band="teen"),
            row(3, "T3", "sms", phone="+8613800000003", guardian_phone="+8613900000003", band="teen"),
            row(4, "T4", "letter", address="北京市一号路4号", band="teen"),  # the guardian's letter, same address
            row(5, "T5", "email", email="t5@example.test", band="teen"),  # no guardian contact: no notice
            row(6, "T6", "guardian_email", guardian_email="g6@example.test", band="teen"),  # via the guardian only
            row(7, "C7", "guardian_email", guardian_email="g7@example.test", band="child"),
            row(8, "U8", "email", email="u8@example.test", guardian_email="g8@example.test"),  # an adult
            row(9, "T9", "letter", address="北京市九号路9号", band="teen"),  # the letter went to the old address
            row(10, "T10", "letter", address="北京市十号路10号", band="teen"),
        ]
        with store.transaction():
            first = store.people.begin_range(1)
            store.db.conn.executemany(
                f"INSERT INTO people ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})", people)
            store.people.end_range(1, first, len(people) + 1)
            rows = [("T1#guardian", "email", "g1@example.test"), ("T2#guardian", "email", "g2@example.test"),
                    ("T3#guardian", "sms", "+8613900000003"), ("T4#guardian", "platform", ""),
                    ("T5", "email", "t5@example.test"), ("T6#guardian", "email", "g6@example.test"),
                    ("C7#guardian", "email", "g7@example.test"), ("U8#guardian", "email", "g8@example.test"),
                    ("T9#guardian", "platform", "上海市旧路9号"), ("T10#guardian", "platform", "北京市十号路10号")]
            store.db.conn.executemany(
                "INSERT INTO send_ledger (incident_id, recipient_key, notice_kind, notice_version, to_address,"
                " message_id, state, attempts, in_doubt, queued_at, updated_at, channel)"
                " VALUES (1,?,'guardian','v1',?,?,'sent',1,0,?,?,?)",
                [(k, to, f"<{n}@x>", STAMP, STAMP, channel) for n, (k, channel, to) in enumerate(rows)])
        ranges = store.people.ranges(1)
        assert store.send_ledger.teen_guardians(1, ranges) == {
            "teen_guardian_email": 2, "teen_guardian_sms": 1, "teen_guardian_letter": 3}
        # T2's guardian e-mail was corrected since: the row went to the old address.
        assert store.send_ledger.teen_guardians_reached(1, "email", "v1", ranges) == {"teen_guardian_email": 1}
        assert store.send_ledger.teen_guardians_reached(1, "sms", "v1", ranges) == {"teen_guardian_sms": 1}
        # T4's letter row is from before the rows kept an address (by key alone); T9's went elsewhere.
        assert store.send_ledger.teen_guardians_reached(1, "platform", "v1", ranges) == {"teen_guardian_letter": 2}
        assert store.send_ledger.teen_guardians_reached(1, "email", "v2", ranges) == {}
        plan = store.send_ledger.teen_guardians_reached_plan(1)
        assert plan[0].startswith("SEARCH p USING INTEGER PRIMARY KEY"), plan
        assert any(line.startswith("SEARCH l USING INDEX") and "recipient_key=?" in line for line in plan), plan
        assert not any("TEMP B-TREE" in line or line.startswith("SCAN") for line in plan), plan
    finally:
        services.close()

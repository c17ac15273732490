"""The send ledger's rows matched to the people *now* on the list (what lets a complete-looking
ledger meet the duty to tell individuals): by recipient key — user id, else e-mail, else phone,
else the row id, the guardian's row for guardian_* channels — only sent rows of the version and
channel asked, to the contact the person has now (a corrected address keeps a user id's key); a
pass over the list's rowid range with one index seek per person (EXPLAIN QUERY PLAN and SQLite's
instruction count, never a timing)."""

from __future__ import annotations

from pathlib import Path

from incident_app.domain.notices.recipient import person_key
from incident_app.services.container import open_services

COLUMNS = ("incident_id", "id", "source_row", "user_id", "name", "email", "phone", "guardian_email", "data_types",
           "language", "channel", "is_minor", "merged_rows", "minor_band")
STAMP = "2026-11-20T09:00:00+08:00"


def person(i: int) -> tuple[object, ...]:
    """Every keying rule in turn: user id; e-mail only; phone only; a child by the guardian only."""
    user, email, phone, guardian, channel, band = {
        0: (f"U{i}", f"u{i}@example.test", "", "", "email", "adult"),
        1: ("", f"e{i}@example.test", "", "", "email", "adult"),
        2: ("", "", f"+86138{i:08d}", "", "sms", "adult"),
        3: ("", "", "", f"g{i}@example.test", "guardian_email", "child"),
    }[(i - 1) % 4]
    return (1, i, i, user, "张三", email, phone, guardian, "phone_number", "zh-CN", channel, int(band == "child"),
            0, band)


def test_rows_count_only_for_people_now_on_the_list_and_each_person_costs_one_seek(
        tmp_path: Path, intake: dict[str, object]) -> None:
    services = open_services(tmp_path / "d.sqlite3")
    try:
        store = services.ctx.store
        store_incident = services.incidents.create(intake).id
        assert store_incident == 1
        people = [person(i) for i in range(1, 2001)]
        with store.transaction():
            first = store.people.begin_range(1)
            store.db.conn.executemany(
                f"INSERT INTO people ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})", people)
            store.people.end_range(1, first, 2001)
        keys = [person_key(store.people.get(1, i)) + ("#guardian" if (i - 1) % 4 == 3 else "")
                for i in range(1, 2001)]
        assert keys[:4] == ["U1", "e2@example.test", "+8613800000003", "person-4#guardian"]
        # Each row went to the person's contact in their channel (in another letter case for some).
        contact = {"email": 5, "sms": 6, "guardian_email": 7}
        addresses = [str(p[contact[str(p[10])]]) for p in people]
        addresses[20] = addresses[20].upper()
        rows = [(k, "guardian" if k.endswith("#guardian") else "individual", "v1", "email", "sent", a)
                for k, a in zip(keys, addresses, strict=True)]
        rows[10] = (rows[10][0], rows[10][1], "v1", "email", "failed", addresses[10])  # not delivered
        rows[11] = (rows[11][0], rows[11][1], "v2", "email", "sent", addresses[11])  # another version
        rows[12] = (rows[12][0], rows[12][1], "v1", "sms", "sent", addresses[12])  # another channel
        rows[13] = (rows[13][0], rows[13][1], "v1", "email", "sent", "old@example.test")  # since corrected
        rows.append(("somebody-replaced", "individual", "v1", "email", "sent", "x"))  # not on the list any more
        rows.append(("U1#guardian", "guardian", "v1", "email", "sent", "x"))  # an adult has no guardian notice
        with store.transaction():
            store.db.conn.executemany(
                "INSERT INTO send_ledger (incident_id, recipient_key, notice_kind, notice_version, to_address,"
                " message_id, state, attempts, in_doubt, queued_at, updated_at, channel)"
                " VALUES (1,?,?,?,?,?,?,1,0,?,?,?)",
                [(k, kind, v, a, f"<{n}@x>", state, STAMP, STAMP, channel)
                 for n, (k, kind, v, channel, state, a) in enumerate(rows)])
        steps = [0]

        def count_steps() -> int:
            steps[0] += 1
            return 0

        store.db.conn.set_progress_handler(count_steps, 100)
        reached = store.send_ledger.reached_people(1, "email", "v1", store.people.ranges(1))
        store.db.conn.set_progress_handler(None, 0)
        missing = (10, 11, 12, 13)  # the rows of persons 11..14
        expected = {"email": 1000, "sms": 500, "guardian_email": 500}
        for index in missing:
            channel = str(person(index + 1)[10])
            expected[channel] -= 1
        assert reached == expected
        # A few dozen instructions per person (a scan of the ledger per person would be thousands).
        assert steps[0] * 100 < 2000 * 150, f"{steps[0] * 100} SQLite instructions for 2,000 people"
        plan = store.send_ledger.reached_people_plan(1)
        assert plan[0].startswith("SEARCH p USING INTEGER PRIMARY KEY"), plan
        assert any(line.startswith("SEARCH l USING INDEX") and "recipient_key=?" in line for line in plan), plan
        assert not any("TEMP B-TREE" in line or line.startswith("SCAN") for line in plan), plan
    finally:
        services.close()

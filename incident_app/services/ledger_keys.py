"""Refusing to send or hand off while two people would share one send-ledger key.

A person whose e-mail or phone was corrected keeps the old contact as their send-ledger key, so the
notices already sent under it stay theirs (migration 39). A list imported later, or another
correction, can give that old contact to someone else, whose key is derived from it: the two would
then be counted, e-mailed and handed off as one person (one told twice, the other never). Two
people keeping the same key are refused alike (a correction no longer keeps a key someone else
holds, but a database written before may have such a pair). The sender and every hand-off export
check first and refuse, naming both people and what to do."""

from __future__ import annotations

from incident_app.domain.errors import FieldProblem, ValidationError
from incident_app.storage.people import PeopleRepository

SHOWN_PAIRS = 20  # a refusal names this many pairs and says how many more there are


class SharedLedgerKeyError(ValidationError):
    """Two people would share a send-ledger key; ``pairs`` are (corrected person, other person)
    ids, ``kept_twice`` (first, second) ids of two people keeping the same key, so a screen can
    say it in the officer's language; ``more`` pairs were left unnamed."""

    def __init__(self, problems: list[FieldProblem], pairs: list[tuple[int, int]], more: int = 0,
                 kept_twice: list[tuple[int, int]] | None = None) -> None:
        super().__init__(problems)
        self.pairs = pairs
        self.more = more
        self.kept_twice = kept_twice or []


def refuse_shared_ledger_keys(people: PeopleRepository, incident_id: int) -> None:
    """Raise ValidationError (nothing sent or written) when two of the incident's people share a
    send-ledger key — one keeps it and the other's contact derives it, or both keep it — naming
    both person ids (the ``id`` of ``people ID``)."""
    twice = people.kept_twice(incident_id)[:SHOWN_PAIRS]
    pairs = people.shared_ledger_keys(incident_id)
    if not pairs and not twice:
        return
    shown, more = pairs[:SHOWN_PAIRS], max(len(pairs) - SHOWN_PAIRS, 0)
    problems = [FieldProblem(
        f"person {second}",
        f"keeps the same send-ledger key as person {first} (one contact from before a correction), so their"
        " notices would be counted as one person's (one told twice, the other never): correct the one who was"
        " NOT told at that old contact"
        f" (people {incident_id} --edit ID --set …; a value already stored may be typed again): it lets the key go"
        " and counts as not yet told at its own contact; then send or export again (nothing was sent or written)")
        for first, second in twice]
    problems += [FieldProblem(
        f"person {other}",
        f"has the e-mail address or phone number that person {kept} was corrected from, so their notices would"
        f" be counted as one person's (one told twice, the other never): correct person {other}'s contact"
        f" (people {incident_id} --edit {other} --set …), or, if both rows are the same person, remove the"
        " duplicate row from the list and import it again; then send or export again (nothing was sent or"
        " written)") for kept, other in shown]
    raise SharedLedgerKeyError(problems + _more_problem(more), shown, more, twice)


def _more_problem(more: int) -> list[FieldProblem]:
    """The line after the pairs named, when more pairs share a key than a refusal names."""
    if not more:
        return []
    return [FieldProblem("people", f"and {more} more pairs like these (only the first {SHOWN_PAIRS} are listed):"
                                   " correct the people above, then send or export again to see the rest")]

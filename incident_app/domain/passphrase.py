"""Passphrases for an encrypted database: the errors a person sees and the rule for a new one.

The passphrase itself is never stored, logged or put in an event; these errors carry the file
path only."""

from __future__ import annotations

from pathlib import Path

from incident_app.domain.errors import ValidationError

# Long enough that a guess per SQLCipher key derivation (~0.1 s) cannot walk the space; short
# enough that an officer can type it under stress. A sentence is better than a password.
MIN_PASSPHRASE_LENGTH = 10


class PassphraseError(Exception):
    """The database could not be opened because of its passphrase (a known, fixable condition)."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(message)
        self.path = path


class WrongPassphrase(PassphraseError):  # noqa: N818 - named after the condition, like NotFound
    """The passphrase does not decrypt the file. Nothing in the file was changed."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            path,
            f"the passphrase does not open {path} (or the file is not a Breach Desk database); "
            "the file was not changed. Check the passphrase (it is case-sensitive) and retry.",
        )


class PassphraseRequired(PassphraseError):  # noqa: N818
    """The file is encrypted and no passphrase was given."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            path,
            f"{path} is encrypted: give the passphrase with --passphrase-env VAR (the name of an "
            "environment variable holding it), or run the command in a terminal to be asked for it.",
        )


class NotEncrypted(PassphraseError):  # noqa: N818
    """An operation that needs an encrypted file (rekey) was asked of a plain one."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, f"{path} is not encrypted; use 'db encrypt' to encrypt it first.")


def check_new_passphrase(passphrase: str, confirmation: str | None = None) -> str:
    """Validate a passphrase chosen for a new or rekeyed database; returns it unchanged.

    Raises :class:`ValidationError` naming what to fix. ``confirmation`` (typed twice) must match
    when given.
    """
    if "\x00" in passphrase:
        raise ValidationError.single("passphrase", "must not contain a NUL character")
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise ValidationError.single(
            "passphrase",
            f"is {len(passphrase)} characters; use at least {MIN_PASSPHRASE_LENGTH} "
            "(a short sentence is easier to remember than a password)",
        )
    if confirmation is not None and confirmation != passphrase:
        raise ValidationError.single("passphrase", "the two entries differ; type the same passphrase twice")
    return passphrase

"""The SMTP password: from the OS keyring when one works, else asked for and kept in this
process's memory only. It is never written to the database, the event log or any log, and it is
not part of :class:`~incident_app.domain.mail.sending.SmtpSettings`."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from incident_app.domain.errors import ValidationError

KEYRING_SERVICE = "breach-desk-smtp"

Prompt = Callable[[str], str | None]


def account_name(host: str, port: int, user: str) -> str:
    """The keyring account the password is filed under."""
    return f"{user}@{host}:{port}"


class SecretStore:
    """Passwords for this session; the keyring (if usable) for later sessions.

    ``backend`` is a keyring backend object (tests pass an in-memory one); by default the
    ``keyring`` package's configured backend, which on a headless Linux box is none."""

    def __init__(self, backend: Any | None = None, *, use_keyring: bool = True) -> None:
        self._memory: dict[str, str] = {}
        self._backend = backend
        self._use_keyring = use_keyring

    def keyring_available(self) -> bool:
        """True when a real keyring backend is configured (not keyring's 'fail' backend)."""
        backend = self._keyring()
        return backend is not None and float(getattr(backend, "priority", 0)) > 0

    def lookup(self, account: str) -> str | None:
        """The password from memory, else from the keyring; None when neither has it."""
        if account in self._memory:
            return self._memory[account]
        backend = self._keyring()
        if backend is None:
            return None
        try:
            value = backend.get_password(KEYRING_SERVICE, account)
        except Exception:  # noqa: BLE001 - any backend failure (D-Bus, locked) means "not available"
            return None
        return str(value) if value else None

    def remember(self, account: str, password: str, *, persist: bool = False) -> str:
        """Keep the password for this session; with ``persist``, also in the keyring.

        Returns where it is kept: 'keyring' or 'memory'."""
        self._memory[account] = password
        if not (persist and self.keyring_available()):
            return "memory"
        try:
            self._keyring().set_password(KEYRING_SERVICE, account, password)  # type: ignore[union-attr]
        except Exception:  # noqa: BLE001 - a keyring that refuses leaves the password in memory only
            return "memory"
        return "keyring"

    def forget(self, account: str) -> None:
        self._memory.pop(account, None)

    def _keyring(self) -> Any | None:
        if not self._use_keyring:
            return None
        if self._backend is not None:
            return self._backend
        try:
            import keyring

            return keyring.get_keyring()
        except Exception:  # noqa: BLE001 - a broken keyring installation is the same as none
            return None


def resolve_password(
    store: SecretStore, account: str, *, env_var: str | None = None, prompt: Prompt | None = None,
) -> str:
    """The password for ``account``: from ``$env_var`` when named, else memory/keyring, else the
    prompt. Raises ValidationError when there is none."""
    if env_var:
        value = os.environ.get(env_var)
        if not value:
            raise ValidationError.single("password_env", f"environment variable {env_var} is not set or empty")
    else:
        value = store.lookup(account) or (prompt(account) if prompt else None)
    if not value:
        raise ValidationError.single(
            "password", "no SMTP password: give --password-env VAR, store it in the keyring, or type it when asked")
    store.remember(account, value)
    return value

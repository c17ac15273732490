from __future__ import annotations

import pytest

from incident_app.domain.errors import ValidationError
from incident_app.services.mail.secrets import KEYRING_SERVICE, SecretStore, account_name, resolve_password

ACCOUNT = account_name("smtp.example.com", 465, "officer")


class MemoryKeyring:
    """Speaks the keyring backend interface, keeps entries in a dict (no OS keyring on CI). Not a
    KeyringBackend subclass: those register themselves as the process-wide default keyring."""

    priority = 1

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


def test_keyring_when_available() -> None:
    backend = MemoryKeyring()
    store = SecretStore(backend)
    assert store.keyring_available() and store.lookup(ACCOUNT) is None
    assert store.remember(ACCOUNT, "pw", persist=True) == "keyring"
    assert backend.entries[(KEYRING_SERVICE, ACCOUNT)] == "pw"
    assert SecretStore(backend).lookup(ACCOUNT) == "pw"  # a later session finds it


def test_without_a_keyring_the_password_stays_in_memory() -> None:
    store = SecretStore()  # this machine's keyring: the 'fail' backend (headless Linux)
    if store.keyring_available():
        pytest.skip("this machine has a working OS keyring")
    assert store.lookup(ACCOUNT) is None
    assert store.remember(ACCOUNT, "pw", persist=True) == "memory"
    assert store.lookup(ACCOUNT) == "pw" and SecretStore().lookup(ACCOUNT) is None
    store.forget(ACCOUNT)
    assert store.lookup(ACCOUNT) is None


def test_resolve_order_env_then_store_then_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    store = SecretStore(use_keyring=False)
    asked: list[str] = []
    assert resolve_password(store, ACCOUNT, prompt=lambda acc: asked.append(acc) or "typed") == "typed"
    assert resolve_password(store, ACCOUNT, prompt=lambda acc: "other") == "typed" and asked == [ACCOUNT]
    monkeypatch.setenv("PW", "from-env")
    assert resolve_password(store, ACCOUNT, env_var="PW") == "from-env"
    monkeypatch.delenv("PW")
    with pytest.raises(ValidationError, match="PW is not set"):
        resolve_password(store, ACCOUNT, env_var="PW")
    with pytest.raises(ValidationError, match="no SMTP password"):
        resolve_password(SecretStore(use_keyring=False), ACCOUNT, prompt=lambda acc: None)

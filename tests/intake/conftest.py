"""Fixtures for intake tests: a real Dovecot per session, a fresh workspace per test."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from kptj.workspace import Workspace
from tests.servers.dovecot import Dovecot

_users = itertools.count(1)


@pytest.fixture
def mailbox_user(dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh Dovecot account; its password is in KPTJ_IMAP_PASSWORD."""
    name = f"unit{next(_users)}"
    dovecot.add_user(name, f"{name}-pw!")
    monkeypatch.setenv("KPTJ_IMAP_PASSWORD", f"{name}-pw!")
    return name


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(home=tmp_path / "home")


def imaps_source(server: Dovecot, user: str, folder: str = "INBOX") -> str:
    return f"imaps://{user}@{server.host}:{server.imaps_port}/{folder}"


@pytest.fixture(scope="session")
def synth_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The smallest synthetic world the generator makes (50 units, ~25 mails, ~40 s on 2 cores)."""
    from synth.world import build_world
    out = tmp_path_factory.mktemp("synth")
    build_world(units=50, seed=11, out=out)
    return out

"""The IDLE wait's rounds (intake.idle._watch), on a stand-in connection: pure loop logic; the real
server path is tests/e2e/test_watch_idle.py."""

from __future__ import annotations

import threading

import intake.imap_source
from intake.idle import _watch
from intake.sources import SourceSpec, parse_source


class _Conn:
    """Mail arrives during the first IDLE round, but its EXISTS never reaches the round's
    responses (sent with "+ idling": CI saw the watcher sleep past a delivered mail)."""

    def __init__(self, spec: SourceSpec, stop: threading.Event) -> None:
        self.stop = stop
        self.polls = 0
        self.rounds = 0
        self.closed = False
        idle = type("Idle", (), {"wait": lambda _self, timeout: self._round()})()
        client = type("Client", (), {"capabilities": ("IMAP4REV1", "IDLE")})()
        self.box = type("Box", (), {"idle": idle, "client": client})()

    def _round(self) -> list[bytes]:
        self.rounds += 1
        if self.rounds >= 3:  # as the wait's timeout would: the watcher slept through the mail
            self.stop.set()
        return []

    def poll(self, after_uid: int) -> list[int]:
        self.polls += 1
        return [after_uid + 1] if self.rounds else []   # delivered once IDLE had begun

    def close(self) -> None:
        self.closed = True


def test_mail_whose_exists_was_lost_wakes_the_watcher_after_the_round(monkeypatch) -> None:
    made: list[_Conn] = []
    wake, stop = threading.Event(), threading.Event()
    monkeypatch.setattr(intake.imap_source, "ImapConnection", lambda spec: made.append(_Conn(spec, stop)) or made[-1])
    _watch(parse_source("imaps://u@127.0.0.1:993/INBOX"), 5, wake, stop)
    assert wake.is_set()
    assert made[0].rounds == 1 and made[0].polls == 2 and made[0].closed

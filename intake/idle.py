"""Waiting for new mail between watch-mode runs: IMAP IDLE where the server offers it, else a timer.

`wait_for_mail` returns as soon as one IMAP source announces a new message (IDLE's EXISTS), or
already holds a UID the last run has not seen (mail delivered while the run was busy), and at the
latest after `timeout` seconds, the polling fallback that also covers local sources and servers
without IDLE. Each IMAP source waits on a connection of its own in a daemon thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from intake.sources import SourceSpec

log = logging.getLogger("kptj.idle")
IDLE_CHUNK = 30.0  # seconds per IDLE round: a stopped wait lets go of its connection this soon


def wait_for_mail(specs: Sequence[SourceSpec], timeout: float, last_uid: Callable[[SourceSpec], int]) -> bool:
    """True when an IMAP source has new mail; False when `timeout` passed without any."""
    wake, stop = threading.Event(), threading.Event()
    for spec in specs:
        if spec.kind in ("imap", "imaps"):
            threading.Thread(target=_watch, args=(spec, last_uid(spec), wake, stop), daemon=True,
                             name=f"idle-{spec.describe()}").start()
    try:
        return wake.wait(timeout)
    finally:
        stop.set()


def _watch(spec: SourceSpec, seen_uid: int, wake: threading.Event, stop: threading.Event) -> None:
    from intake.imap_source import ImapConnection

    try:
        conn = ImapConnection(spec)
    except Exception as exc:  # noqa: BLE001 - the next run reports the source's error; here we just poll
        log.info("IDLE unavailable for %s (%s): polling", spec.describe(), exc)
        return
    try:
        if conn.poll(seen_uid):  # arrived while the last run was busy
            wake.set()
            return
        if "IDLE" not in conn.box.client.capabilities:
            log.info("%s offers no IDLE: polling", spec.describe())
            return
        while not stop.is_set():
            responses = conn.box.idle.wait(timeout=IDLE_CHUNK)
            # between rounds the UIDs are checked as well: an EXISTS the server sent with IDLE's
            # "+ idling" (kept by imaplib as an untagged response, or left in the TLS buffer where
            # the socket poll does not see it) is otherwise lost until the next run
            if any(b"EXISTS" in r for r in responses) or conn.poll(seen_uid):
                log.info("IDLE: new mail in %s", spec.describe())
                wake.set()
                return
    except Exception as exc:  # noqa: BLE001 - a dropped connection: fall back to the timer
        log.info("IDLE on %s ended (%s): polling", spec.describe(), exc)
    finally:
        conn.close()

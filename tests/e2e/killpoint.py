"""Run `kptj` and SIGKILL it (with its reading workers) at a chosen point of one stage of the run.

    python -m tests.e2e.killpoint STAGE CALL WHEN DELAY -- kptj arguments...

A kill timed from outside lands wherever the run happens to be; this one lands where the test
asks, so twenty kills per stage are twenty different places in that stage. The process group is
killed, as a power cut would: the run and its pool workers die together, with no clean-up.

STAGE  read   - while the CALL-th file (of this process) is being read, DELAY seconds into it
       match  - at the CALL-th document matched: WHEN before or after it is written (not committed)
       report - at the CALL-th step after the mail: audit, attachment findings, each report file
                (after its temporary file is written, before it replaces the old one)
       send   - (kptj mail send) at the CALL-th mail handed to the SMTP server: WHEN before or after
                the server's answer, so "after" leaves the mail on the server and `sending` here
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

STAGES = ("read", "match", "report", "send")


def die() -> None:
    os.killpg(os.getpgrp(), signal.SIGKILL)


def _counting(fn: Callable[..., Any], call: int, when: str, delay: float = 0.0) -> Callable[..., Any]:
    seen = [0]

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        seen[0] += 1
        if seen[0] != call:
            return fn(*args, **kwargs)
        if when == "timer":
            threading.Timer(delay, die).start()
            return fn(*args, **kwargs)
        if when == "before":
            die()
        result = fn(*args, **kwargs)
        die()
        return result
    return wrapper


def arm(stage: str, call: int, when: str, delay: float) -> None:
    if stage == "read":  # the pool may be reading later files' pages ahead at that moment too
        from matching.executor import LocalExecutor
        LocalExecutor.read_pages = _counting(LocalExecutor.read_pages, call, "timer", delay)
    elif stage == "match":
        import matching.process as process
        process._process_document = _counting(process._process_document, call, when)
    elif stage == "report":
        _arm_report(call)
    elif stage == "send":
        from outbox.smtp import SmtpTransport
        SmtpTransport.send = _counting(SmtpTransport.send, call, when)
    else:
        raise SystemExit(f"unknown stage {stage!r}: one of {STAGES}")


def _arm_report(call: int) -> None:
    """One counter over every step after the mail, so CALL picks any of them."""
    import kptj.daily_run as daily_run
    import matching.audit as audit
    import matching.reports as reports

    seen = [0]

    def step(fn: Callable[..., Any], after: bool) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not after:
                seen[0] += 1
                if seen[0] == call:
                    die()
            result = fn(*args, **kwargs)
            if after:
                seen[0] += 1
                if seen[0] == call:
                    die()
            return result
        return wrapper

    audit.audit_records = step(audit.audit_records, after=True)             # before its commit
    daily_run._attachment_findings = step(daily_run._attachment_findings, after=True)
    publish = reports.publish
    reports.publish = lambda path, write: publish(path, step(write, after=True))  # before the rename


def main(argv: list[str]) -> None:
    split = argv.index("--")
    stage, call, when, delay = argv[:split]
    arm(stage, int(call), when, float(delay))
    from kptj.cli import app

    app(args=argv[split + 1:], prog_name="kptj")


if __name__ == "__main__":
    main(sys.argv[1:])

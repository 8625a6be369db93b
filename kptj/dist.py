"""Reading spread over machines: Celery with a Redis broker, results in the shared database.

One task per page: (attachment sha256, archive path, page index, reader version). Workers
(`kptj worker`, same workspace folder mounted at the same path, same database URL) read the page
and store the PageReading in `page_results`, insert-or-ignore on (sha256, page, reader version),
before the task is acknowledged (acks_late). A worker that dies mid-page never acknowledges: its
child's death rejects the task back to the queue (task_reject_on_worker_lost), a whole machine's
death returns it after the broker's visibility timeout. A redelivered task that finds its result
stored does nothing, so no page and no finding is ever stored twice.

Where results and crops go: the reading goes into the database (every run reads it from there,
whatever machine read it); page images and figure crops are files in the workspace's pages/
folder, which must be the same shared path (e.g. NFS) on every machine, like the mail archive the
workers read the attachments from. Images stay out of the database so it stays small, and the
reports link the crops by path exactly as in a one-machine run. Redis carries only task ids.
"""

from __future__ import annotations

import copy
import logging
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from celery import Celery
from celery.exceptions import Reject
from celery.signals import worker_process_init

from kptj.workspace import Workspace
from matching import page_results
from matching.executor import FileJob
from ocr.model import PageReading
from registry.template import Template, default_template

log = logging.getLogger("kptj.dist")
QUEUE = "kptj-read"
TASK = "kptj.read_page"
POLL_SECONDS = 0.5


def _env_float(name: str, default: float) -> float:
    return float(os.environ.get(name) or default)


def make_app(broker: str) -> Celery:
    app = Celery("kptj", broker=broker, set_as_current=False)
    app.conf.update(
        task_acks_late=True,                 # acknowledged after the result is stored
        task_reject_on_worker_lost=True,     # a killed pool process puts its page back in the queue
        worker_prefetch_multiplier=1,        # a worker holds no more pages than it reads right now
        task_ignore_result=True,             # results go to the database, not the broker
        task_default_queue=QUEUE,
        task_serializer="json", accept_content=["json"],
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        # Redis gives an unacknowledged page back after this many seconds (a dead machine's page);
        # pages take seconds, so the default 10 minutes never re-sends a page still being read.
        broker_transport_options={"visibility_timeout": _env_float("KPTJ_BROKER_VISIBILITY", 600),
                                  "unacked_restore_interval": 5, "unacked_restore_throttle": 1},
    )
    app.task(name=TASK, bind=True)(_read_page)
    return app


# --- the worker side ------------------------------------------------------------------------
@dataclass
class _WorkerState:
    ws: Workspace | None = None


_state = _WorkerState()


def serve(ws: Workspace, broker: str, concurrency: int, loglevel: str = "INFO",
          hostname: str | None = None) -> None:
    """Run a worker in this process (prefork children read the pages); returns when it stops."""
    ws.sessions()  # migrate once here, before any child exists
    ws.sessions().kw["bind"].dispose()
    _state.ws = Workspace(home=ws.home, db_url=ws.url, year=ws.year)  # children open their own engines
    app = make_app(broker)
    argv = ["worker", "-Q", QUEUE, "--concurrency", str(concurrency), "--pool", "prefork",
            "--loglevel", loglevel, "--without-gossip", "--without-mingle", "--without-heartbeat"]
    if hostname:
        argv += ["--hostname", hostname]
    app.worker_main(argv=argv)


@worker_process_init.connect
def _load_models(**_kw: object) -> None:
    """Models are loaded once per worker process, not per page (same as the local pool)."""
    from ocr.reader import _init_worker  # the local pool's initializer: one ONNX thread, models loaded

    _init_worker()
    if _state.ws is not None:
        _state.ws._sessions = None


def _read_page(task, sha256: str, archive_path: str, index: int, crops: str, year: int, version: str,
               second_opinion: bool = True) -> str:
    from ocr.reader import _read_one  # the local pool's per-page function: identical readings

    ws = _state.ws
    if ws is None:
        raise Reject("not a kptj worker", requeue=True)
    template = default_template(year)
    mine = page_results.reader_version(template)
    if mine != version:  # other code (an upgrade under way): leave the page to a worker of the run's version
        log.error("reader version %s differs from the run's %s: page %s/%d left to another worker", mine,
                  version, sha256[:12], index)
        time.sleep(5)
        raise Reject("reader version mismatch", requeue=True)
    with ws.session() as s:
        if page_results.exists(s, sha256, index, version):
            log.info("page %s/%d already stored (redelivered)", sha256[:12], index)
            return "stored-before"
    path = ws.archive_dir / archive_path
    if not path.exists():  # workspace not shared with this machine: leave the page to another worker
        log.error("attachment %s not found at %s: is the workspace folder shared?", sha256[:12], path)
        time.sleep(5)
        raise Reject("attachment not found", requeue=True)
    crops_dir = crops if Path(crops).is_absolute() else str(ws.home / crops)
    log.info("page %s/%d start", sha256[:12], index)
    reading = _read_one(str(path), index, template, crops_dir, second_opinion)
    with ws.session() as s:
        stored = page_results.store(s, sha256, index, version, reading,
                                    worker=task.request.hostname or socket.gethostname())
    log.info("page %s/%d %s", sha256[:12], index, "stored" if stored else "was stored meanwhile")
    return "stored" if stored else "stored-meanwhile"


# --- the run's side ---------------------------------------------------------------------------
class ReadStalled(RuntimeError):
    pass


class CeleryExecutor:
    """Sends every page not yet stored to the queue, then waits for the workers' results.

    Waiting gives up when no page arrived for `stall_seconds` (no worker running, say): the
    message then fails with a clear reason and is retried by the next run, results kept."""

    def __init__(self, ws: Workspace, broker: str, stall_seconds: float | None = None) -> None:
        self.ws, self.app = ws, make_app(broker)
        self.stall = stall_seconds if stall_seconds is not None else _env_float("KPTJ_READ_STALL", 1800)
        self.sent: set[tuple[str, int, str]] = set()  # queued by this run: never queued twice

    def submit(self, files: list[FileJob], template: Template, crops_dir: Path) -> None:
        """Queue every page of `files` not yet stored or queued, without waiting (the run's
        read-ahead: all new messages' pages are queued before the first message is matched)."""
        self._submit(files, template, crops_dir)

    def _submit(self, files: list[FileJob], template: Template, crops_dir: Path
                ) -> tuple[list[tuple[FileJob, int]], dict[tuple[str, int], PageReading], str]:
        from ocr import sources

        version = page_results.reader_version(template)
        jobs = [(f, i) for f in files for i in range(sources.count_pages(f.path))]
        keys = list(dict.fromkeys((f.sha256, i) for f, i in jobs))
        with self.ws.session() as s:
            got = page_results.load(s, keys, version)
        crops = os.path.relpath(crops_dir, self.ws.home) if crops_dir.is_relative_to(self.ws.home) else str(crops_dir)
        by_key = {(f.sha256, i): f for f, i in jobs}
        for key in keys:
            if key not in got and (*key, version) not in self.sent:
                f = by_key[key]
                self.app.send_task(TASK, args=[f.sha256, f.archive_path, key[1], crops, self.ws.year, version],
                                   queue=QUEUE)
                self.sent.add((*key, version))
        return jobs, got, version

    def read_pages(self, files: list[FileJob], template: Template, crops_dir: Path) -> list[PageReading]:
        jobs, got, version = self._submit(files, template, crops_dir)
        keys = list(dict.fromkeys((f.sha256, i) for f, i in jobs))
        self._wait(keys, got, version)
        out = []
        for f, i in jobs:
            page = copy.copy(got[(f.sha256, i)])
            page.source = f.path  # the path this run knows the file by (a worker may mount it elsewhere)
            out.append(page)
        return out

    def _wait(self, keys: list[tuple[str, int]], got: dict, version: str) -> None:
        last = time.monotonic()
        while len(got) < len(keys):
            time.sleep(POLL_SECONDS)
            missing = [k for k in keys if k not in got]
            with self.ws.session() as s:
                new = page_results.load(s, missing, version)
            if new:
                got.update(new)
                last = time.monotonic()
            elif time.monotonic() - last > self.stall:
                raise ReadStalled(f"{len(missing)} 页在 {int(self.stall)} 秒内无人识别：请检查 kptj worker "
                                  f"是否在运行、能否连接消息队列；下次运行时继续")

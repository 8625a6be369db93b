"""Read files: pages fanned out to a process pool (models loaded once per worker), then grouped.

The pool is kept for the life of the process so a daily run pays model loading once per worker.
"""

from __future__ import annotations

import atexit
import os
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context
from pathlib import Path

from ocr import document_seal, seal_reread, sources, split
from ocr.model import DocumentReading, OcrLine, PageIdentity, PageReading
from ocr.page import read_page
from ocr.seal_template import DocumentSeal
from registry.template import Template, default_template

_pools: dict[int, Executor] = {}
# A page normally takes ~3 s of CPU; one that takes minutes is pathological (e.g. a huge noisy photo):
# it is stopped with a recorded reason and the run goes on. KPTJ_PAGE_SECONDS overrides; 0 = no limit.
PAGE_SECONDS = float(os.environ.get("KPTJ_PAGE_SECONDS", "180"))


class PageTimeout(BaseException):
    """Not an Exception: the reader's own `except Exception` guards (a seal check failing must not
    lose the figures) must not swallow the stop."""


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """SIGALRM after `seconds` (checked between Python steps: a long native call finishes first).
    Only the main thread can take signals; elsewhere the page runs without a limit."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(_signum: int, _frame: object) -> None:
        raise PageTimeout

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


PARENT_CHECK_SECONDS = 1.0


def _exit_with_parent() -> None:
    """A pool worker ends when the process that started it is gone. A run stopped by Ctrl-C or
    killed does not shut its pool down, and a worker waiting for pages would stay (a watch run's
    workers, each holding the models, outlived it)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)
    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _init_worker() -> None:
    _exit_with_parent()
    # one ONNX thread per worker: the pool already uses every core
    os.environ["KPTJ_OCR_THREADS"] = "1"
    from ocr.engines import rapid
    eng = rapid.get_engine()
    eng._load_det_model(), eng._load_cls_model(), eng._load_rec_model()


def _pool(workers: int) -> Executor:
    if workers not in _pools:
        # fork is cheap and needs no importable __main__; but a parent that already runs
        # onnxruntime threads must not be forked (locks may be held): then spawn
        from ocr.engines import rapid
        method = "spawn" if rapid.get_engine.cache_info().currsize else "fork"
        _pools[workers] = ProcessPoolExecutor(max_workers=workers, mp_context=get_context(method),
                                              initializer=_init_worker)
    return _pools[workers]


def reset_pool(workers: int) -> None:
    """Drop a pool one of whose workers died (BrokenProcessPool): the next submit starts a new one."""
    pool = _pools.pop(workers, None)
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


@atexit.register
def shutdown_pools() -> None:
    for pool in _pools.values():
        pool.shutdown(wait=False, cancel_futures=True)
    _pools.clear()


def _read_one(path: str, index: int, template: Template, crops_dir: str | None,
              second_opinion: bool) -> PageReading:
    def failed(problem: str) -> PageReading:
        return PageReading(source=path, index=index, rotation=0, skew=0.0, method="failed",
                           identity=PageIdentity(), template_id=template.id, problems=[problem])
    try:
        with _time_limit(PAGE_SECONDS):
            source = sources.load_page(path, index)
            return read_page(source, template, source_name=path, crops_dir=crops_dir, second_opinion=second_opinion)
    except PageTimeout:
        return failed(f"页面识别超过 {PAGE_SECONDS:g} 秒，已停止，请人工查看")
    except Exception as e:  # noqa: BLE001 - one bad page must not lose the others of the file
        return failed(f"页面无法读取：{type(e).__name__}: {e}")


def submit_page(path: str, index: int, template: Template, crops_dir: str | None, workers: int,
                second_opinion: bool = True) -> Future[PageReading]:
    """One page to this machine's pool, read in the background (matching.executor reads ahead)."""
    return _pool(workers).submit(_read_one, path, index, template, crops_dir, second_opinion)


def read_pages(paths: Iterable[str | Path], template: Template | None = None, *,
               crops_dir: str | Path | None = None, workers: int = 2,
               second_opinion: bool = True) -> list[PageReading]:
    """Every page of every file, in file then page order."""
    template = template or default_template()
    jobs = [(str(p), i) for p in paths for i in range(sources.count_pages(p))]
    crops = str(crops_dir) if crops_dir is not None else None
    if workers <= 1 or len(jobs) <= 1:
        return [_read_one(p, i, template, crops, second_opinion) for p, i in jobs]
    pool = _pool(workers)
    futures = [pool.submit(_read_one, p, i, template, crops, second_opinion) for p, i in jobs]
    return [f.result() for f in futures]


def _read_without_seal(image_path: str, seal: DocumentSeal, key: int, lines: list[OcrLine],
                       table: dict | None, template: Template) -> PageReading | None:
    try:
        with _time_limit(PAGE_SECONDS):
            return seal_reread.read_under_seal(image_path, seal, key, lines, table, template)
    except PageTimeout:
        return None
    except Exception:  # noqa: BLE001 - the first reading stands
        return None


def reread_under_seal(docs: list[DocumentReading], template: Template | None = None, *, workers: int = 2) -> int:
    """ocr.document_seal's document stage: the learned seal looked for on grey pages where no ring
    was seen, then the second reads, on this machine's pool; returns how many figures changed."""
    template = template or default_template()
    learned: document_seal.Learned = {}
    document_seal.find_faint_stamps(docs, learned)

    def reread(jobs: list[document_seal.Job]) -> list[PageReading | None]:
        if workers <= 1:  # pages were read in this process too
            return [_read_without_seal(*job, template) for job in jobs]
        pool = _pool(workers)  # even one page goes to the pool: models stay out of this process
        return [f.result() for f in [pool.submit(_read_without_seal, *job, template) for job in jobs]]
    return document_seal.reread_under_seal(docs, reread, learned)


def read_files(paths: Iterable[str | Path], template: Template | None = None, *,
               crops_dir: str | Path | None = None, workers: int = 2,
               second_opinion: bool = True) -> list[DocumentReading]:
    """Pages of several files (e.g. one image per page) grouped into per-unit documents."""
    pages = read_pages(paths, template, crops_dir=crops_dir, workers=workers, second_opinion=second_opinion)
    docs = split.group_pages(pages)
    reread_under_seal(docs, template, workers=workers)
    return docs


def read_file(path: str | Path, template: Template | None = None, *, crops_dir: str | Path | None = None,
              workers: int = 2, second_opinion: bool = True) -> list[DocumentReading]:
    """One PDF or image file (a merged PDF may hold many units) -> per-unit documents."""
    return read_files([path], template, crops_dir=crops_dir, workers=workers, second_opinion=second_opinion)

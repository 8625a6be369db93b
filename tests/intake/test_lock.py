"""The workspace lock: one run at a time, and forked workers never keep it."""

import multiprocessing
import time

import pytest

from intake.lock import IntakeBusy, intake_lock


def _hold(path, seconds):
    with intake_lock(path):
        time.sleep(seconds)


def test_second_process_is_refused_while_the_first_runs(tmp_path):
    p = multiprocessing.get_context("spawn").Process(target=_hold, args=(tmp_path, 3))
    p.start()
    try:
        deadline = time.time() + 20
        while not (tmp_path / "intake.lock").exists() or (tmp_path / "intake.lock").read_text() == "":
            assert time.time() < deadline
            time.sleep(0.05)
        time.sleep(0.3)
        with pytest.raises(IntakeBusy, match="另一个收取任务正在运行"), intake_lock(tmp_path):
            pass
    finally:
        p.join()
    with intake_lock(tmp_path):  # released when that process ended
        pass


def test_a_worker_forked_during_a_run_does_not_keep_the_lock(tmp_path):
    ctx = multiprocessing.get_context("fork")
    with intake_lock(tmp_path):
        worker = ctx.Process(target=time.sleep, args=(5,))  # like the OCR pool started inside a run
        worker.start()
    try:
        with intake_lock(tmp_path):  # the next run in the same process (kptj run --watch)
            pass
    finally:
        worker.terminate()
        worker.join()

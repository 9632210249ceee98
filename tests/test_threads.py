"""pyimpl._threads: the two-thread helpers give the values a single thread
gives, pass errors on, and cannot wait for each other forever."""
from __future__ import annotations

import threading
import time

import pytest

from pyimpl import _threads as th


def test_run_all_keeps_order_and_values():
    tasks = [(pow, (2, k)) for k in range(5)]
    assert th.run_all(tasks) == [1, 2, 4, 8, 16]
    assert th.run_all(tasks, parallel=False) == [1, 2, 4, 8, 16]


def test_run_all_raises_after_every_task_ended():
    ended = []

    def slow_ok():
        time.sleep(0.05)
        ended.append("slow")
        return 1

    def boom():
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        th.run_all([(boom, ()), (slow_ok, ())])
    assert ended == ["slow"]


def test_background_value_and_error():
    assert th.background(sum, [1, 2, 3]).result() == 6
    assert th.background(sum, [1, 2], parallel=False).result() == 3
    with pytest.raises(ZeroDivisionError):
        th.background(lambda: 1 / 0).result()


def test_a_posted_task_runs_once_whoever_takes_it():
    runs = []
    h = th.Helpers()
    t = h.post(lambda: runs.append(threading.current_thread().name) or 7)
    helper = threading.Thread(target=h.help)
    helper.start()
    value = t.result()
    h.close()
    helper.join(5)
    assert value == 7 and len(runs) == 1 and not helper.is_alive()


def test_help_waits_for_posts_until_closed():
    """A helper that arrives before anything is posted waits, takes the part,
    and returns once the poster closes."""
    h = th.Helpers()
    got = []
    helper = threading.Thread(target=h.help)
    helper.start()
    time.sleep(0.02)
    t = h.post(lambda: got.append("ran") or 1)
    assert t.result() == 1
    h.close()
    helper.join(5)
    assert got == ["ran"] and not helper.is_alive()


def test_an_untaken_task_runs_on_the_caller_and_errors_pass_on():
    h = th.Helpers()
    t = h.post(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        t.result()
    h.close()
    h.help()  # nothing left: returns at once

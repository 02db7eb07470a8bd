"""Run a backend's stream in a worker thread, so Stop works even while the backend is silent."""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator

POLL_S = 0.1                   # how often a waiting reply checks the Stop event
_END = object()


def in_background(make_stream: Callable[[], Iterator], backend_stop: threading.Event,
                  user_stop: threading.Event) -> Iterator:
    """Iterate a backend stream in a worker thread, so Stop works even while the backend is silent.

    Ends (and tells the backend to stop) as soon as `user_stop` is set; backend errors are re-raised here.
    """
    items: queue.Queue = queue.Queue()

    def run():
        try:
            for delta in make_stream():
                items.put(delta)
                if backend_stop.is_set():
                    break
        except Exception as error:  # handed to the consumer
            items.put(error)
        finally:
            items.put(_END)

    threading.Thread(target=run, name="healify-assistant", daemon=True).start()
    try:
        while not user_stop.is_set():
            try:
                item = items.get(timeout=POLL_S)
            except queue.Empty:
                continue
            if item is _END:
                return
            if isinstance(item, Exception):
                raise item
            yield item
    finally:
        backend_stop.set()

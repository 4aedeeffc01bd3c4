"""A function mapped over a stream on worker threads, results in the stream's order, a bounded number in flight.

The ingest converts and validates chunks this way: Arrow and NumPy release the GIL inside their kernels, so
chunks are checked on several cores while the results (quarantine rows, Parquet parts) are still written in file
order. At most ``workers + 1`` items are taken ahead of the one being returned, which bounds memory.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

In = TypeVar("In")
Out = TypeVar("Out")


def ordered_map(fn: Callable[[In], Out], items: Iterable[In], *, workers: int, name: str = "cxcert") -> Iterator[Out]:
    """``fn(item)`` for each item, computed on ``workers`` threads, yielded in order.

    An exception raised by ``fn`` is raised here when its result is due; items not yet started are cancelled.
    """
    if workers <= 1:
        yield from map(fn, items)
        return
    iterator = iter(items)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name) as pool:
        pending: deque[Future[Out]] = deque()
        exhausted = False
        try:
            while True:
                while not exhausted and len(pending) <= workers:
                    try:
                        item = next(iterator)
                    except StopIteration:
                        exhausted = True
                    else:
                        pending.append(pool.submit(fn, item))
                if not pending:
                    return
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()

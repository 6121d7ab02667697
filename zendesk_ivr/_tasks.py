"""Concurrent work that stops as a whole: a failure cancels its siblings and surfaces alone."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine, Iterable, Iterator
from typing import Any, TypeVar, cast

T = TypeVar("T")
A = TypeVar("A")
B = TypeVar("B")


@contextlib.contextmanager
def first_error() -> Iterator[None]:
    """
    Around an ``asyncio.TaskGroup``: re-raise the first real error of the group by itself, so
    callers catch `ZendeskError` subclasses rather than an ExceptionGroup.
    """
    try:
        yield
    except BaseExceptionGroup as group:
        raise _first_leaf(group) from None


def _first_leaf(group: BaseExceptionGroup[BaseException]) -> BaseException:
    for exc in group.exceptions:
        if isinstance(exc, BaseExceptionGroup):
            return _first_leaf(exc)
        return exc
    return group  # an empty group cannot be built; kept for the type checker


async def all_of(coroutines: Iterable[Coroutine[Any, Any, T]]) -> list[T]:
    """Run *coroutines* concurrently; their results in order, or the first error and no orphans."""
    with first_error():
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(c) for c in coroutines]
    return [task.result() for task in tasks]


async def both(first: Coroutine[Any, Any, A], second: Coroutine[Any, Any, B]) -> tuple[A, B]:
    """`all_of` for two coroutines of different result types."""
    one, other = await all_of([first, second])
    return cast("A", one), cast("B", other)

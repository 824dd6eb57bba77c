"""The application's ports kept in memory: a unit of work over a list of events, so that
application logic can be tested without a database. Every read is derived from the events by
replaying the aggregates, which is slow and simple; what it does not answer raises
NotImplementedError naming the query."""

from tests.memory.unit_of_work import (
    MemoryBooks,
    MemoryUnitOfWork,
    MemoryUnitOfWorkFactory,
)

__all__ = ["MemoryBooks", "MemoryUnitOfWork", "MemoryUnitOfWorkFactory"]

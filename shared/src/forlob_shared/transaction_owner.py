"""Who may commit a unit of work: on the event side, only the consumer.

An event handler (and every use case it calls) runs inside the consumer's transaction: the
consumer records the delivery in its inbox, applies the handler, writes the emitted events to the
outbox and commits, once for a whole batch of deliveries. A handler that committed would cut that
transaction in two (the inbox row and the effect could part), so while the consumer runs a
handler, ``commit()`` raises :class:`CommitOwnedByConsumer` instead: the mistake fails the
handler's tests loudly rather than losing an effect on some redelivery in production.

HTTP use cases and background jobs open their own unit of work and commit it themselves.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


class CommitOwnedByConsumer(RuntimeError):
    """A handler (or a use case it called) tried to commit the transaction its consumer owns."""


class TransactionOwnership:
    """Mixed into a unit of work (the real one and the test kit's fake): lets a consumer take
    the right to commit away while it runs a handler."""

    _commit_owner: str | None = None

    @contextlib.contextmanager
    def owned_by(self, owner: str) -> Iterator[None]:
        """While inside, ``commit()`` raises: ``owner`` (a consumer's name) commits afterwards."""
        previous, self._commit_owner = self._commit_owner, owner
        try:
            yield
        finally:
            self._commit_owner = previous

    def _refuse_commit_if_owned(self) -> None:
        if self._commit_owner is not None:
            raise CommitOwnedByConsumer(
                f"an event handler must not commit: the consumer {self._commit_owner} owns this transaction "
                "and commits it after the handler (remove the handler's `await uow.commit()`)"
            )

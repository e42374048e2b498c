"""Steps of one transaction (a consumer's batch: ``uow.stage()`` after each handler) see each
other's writes, and each reads rows afresh, as in a transaction of its own; while a consumer owns
the transaction a handler's commit is refused: against the real database."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from forlob_shared.transaction_owner import CommitOwnedByConsumer
from forlob_testkit.messaging import MessagingDb, referral_event


class _Base(DeclarativeBase):
    pass


class Thing(_Base):
    __tablename__ = "things"
    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[str]


async def test_a_use_case_in_a_batch_reads_what_the_one_before_wrote_whatever_wrote_it(
    messaging_db: MessagingDb,
) -> None:
    await messaging_db.fetchval("CREATE TABLE things (id int PRIMARY KEY, value text NOT NULL)")
    async with messaging_db.uow() as uow:
        uow.session.add(Thing(id=1, value="added"))  # use case 1: through the ORM
        await uow.stage()
        loaded = await uow.session.scalar(sa.select(Thing).where(Thing.id == 1))  # use case 2 loads it...
        assert loaded is not None
        assert loaded.value == "added"
        await uow.session.execute(sa.update(Thing.__table__).values(value="changed"))  # ...and a Core write
        uow.emit(referral_event())
        await uow.stage()
        again = await uow.session.scalar(sa.select(Thing).where(Thing.id == 1))  # use case 3
        assert again is not None
        assert again.value == "changed"
        assert await messaging_db.fetchval("SELECT count(*) FROM things") == 0  # nothing committed yet
        await uow.commit()
    assert await messaging_db.fetchval("SELECT value FROM things") == "changed"
    assert await messaging_db.fetchval("SELECT count(*) FROM outbox") == 1  # written at its use case's step


async def test_a_handler_cannot_commit_the_transaction_its_consumer_owns(messaging_db: MessagingDb) -> None:
    await messaging_db.fetchval("CREATE TABLE things (id int PRIMARY KEY, value text NOT NULL)")
    async with messaging_db.uow() as uow:
        with uow.owned_by("test.effects"):
            uow.session.add(Thing(id=1, value="added"))
            with pytest.raises(CommitOwnedByConsumer, match=r"test\.effects owns this transaction"):
                await uow.commit()
        await uow.stage()
        assert await messaging_db.fetchval("SELECT count(*) FROM things") == 0  # not committed by the handler
        await uow.commit()  # the owner commits, once the handler is done
    assert await messaging_db.fetchval("SELECT count(*) FROM things") == 1

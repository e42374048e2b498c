from forlob_reporting.db.reads import SqlFactReads
from forlob_reporting.db.rebuild_lock import SharedRebuildLock
from forlob_reporting.db.store import SqlFactStore
from forlob_shared.db import UnitOfWork


class ReportingUnitOfWork(UnitOfWork):
    facts: SqlFactStore
    reads: SqlFactReads
    rebuild_lock: SharedRebuildLock

    async def _on_enter(self) -> None:
        self.facts = SqlFactStore(self.session)
        self.reads = SqlFactReads(self.session)
        self.rebuild_lock = SharedRebuildLock(self.session)

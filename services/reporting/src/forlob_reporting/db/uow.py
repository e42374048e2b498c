from forlob_reporting.db.dpo import DpoFacts
from forlob_reporting.db.reads import SqlFactReads
from forlob_reporting.db.rebuild_lock import SharedRebuildLock
from forlob_reporting.db.store import SqlFactStore
from forlob_shared.db import UnitOfWork
from forlob_shared.erasure import SqlErasureRegister


class ReportingUnitOfWork(UnitOfWork):
    facts: SqlFactStore
    reads: SqlFactReads
    rebuild_lock: SharedRebuildLock
    erasures: SqlErasureRegister
    dpo: DpoFacts

    async def _on_enter(self) -> None:
        self.facts = SqlFactStore(self.session)
        self.reads = SqlFactReads(self.session)
        self.rebuild_lock = SharedRebuildLock(self.session)
        self.erasures = SqlErasureRegister(self.session)
        self.dpo = DpoFacts(self.session)

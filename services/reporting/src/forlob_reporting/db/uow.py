from forlob_reporting.db.store import SqlFactStore
from forlob_shared.db import UnitOfWork


class ReportingUnitOfWork(UnitOfWork):
    facts: SqlFactStore

    async def _on_enter(self) -> None:
        self.facts = SqlFactStore(self.session)

"""The reporting service's runtime, typed: what its routes and handlers run on."""

from forlob_reporting.db.uow import ReportingUnitOfWork
from forlob_reporting.settings import ReportingSettings
from forlob_shared.runtime import Runtime

ReportingRuntime = Runtime[ReportingUnitOfWork, ReportingSettings, None]

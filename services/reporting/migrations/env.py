from forlob_reporting.db.models import metadata
from forlob_shared.migrations import run_env

run_env(metadata)

from forlob_attendance.db.models import Base
from forlob_shared.migrations import run_env

run_env(Base.metadata)

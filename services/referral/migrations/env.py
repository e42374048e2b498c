from forlob_referral.db.models import Base
from forlob_shared.migrations import run_env

run_env(Base.metadata)

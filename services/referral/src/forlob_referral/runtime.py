"""The referral service's runtime, typed: what its routes and periodic jobs run on."""

from forlob_referral.db.uow import ReferralUnitOfWork
from forlob_referral.settings import ReferralSettings
from forlob_shared.runtime import Runtime

# Its use cases take nothing derived from the settings but what they read of them directly.
ReferralRuntime = Runtime[ReferralUnitOfWork, ReferralSettings, None]

"""Forløb's test support, a dev-only workspace member: local broker and database servers, service
processes, course load, the pytest plugin (``-p forlob_testkit.fixtures``), per-service helpers
(``forlob_testkit.attendance``, ``.referral``, ``.web``) and the reporting cohort
(``forlob_testkit.reporting.cohort``). No service image installs it, and no product module may
import it (tests/contract/test_product_has_no_test_support.py holds both)."""

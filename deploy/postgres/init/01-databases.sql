-- One database per service, each owned by the service's own role, which may connect to no other
-- service's database. The postgres image runs this once, on an empty data volume, with psql as
-- the superuser. The passwords come from the container's environment (docker-compose.yml sets
-- FORLOB_<SERVICE>_DB_PASSWORD with local defaults); unset, each defaults to the role's name.

\getenv referral_password FORLOB_REFERRAL_DB_PASSWORD
\if :{?referral_password}
\else
  \set referral_password referral
\endif
\getenv attendance_password FORLOB_ATTENDANCE_DB_PASSWORD
\if :{?attendance_password}
\else
  \set attendance_password attendance
\endif
\getenv notifications_password FORLOB_NOTIFICATIONS_DB_PASSWORD
\if :{?notifications_password}
\else
  \set notifications_password notifications
\endif
\getenv reporting_password FORLOB_REPORTING_DB_PASSWORD
\if :{?reporting_password}
\else
  \set reporting_password reporting
\endif

CREATE ROLE referral LOGIN PASSWORD :'referral_password';
CREATE ROLE attendance LOGIN PASSWORD :'attendance_password';
CREATE ROLE notifications LOGIN PASSWORD :'notifications_password';
CREATE ROLE reporting LOGIN PASSWORD :'reporting_password';

CREATE DATABASE forlob_referral OWNER referral;
CREATE DATABASE forlob_attendance OWNER attendance;
CREATE DATABASE forlob_notifications OWNER notifications;
CREATE DATABASE forlob_reporting OWNER reporting;

REVOKE CONNECT, TEMPORARY ON DATABASE forlob_referral FROM PUBLIC;
REVOKE CONNECT, TEMPORARY ON DATABASE forlob_attendance FROM PUBLIC;
REVOKE CONNECT, TEMPORARY ON DATABASE forlob_notifications FROM PUBLIC;
REVOKE CONNECT, TEMPORARY ON DATABASE forlob_reporting FROM PUBLIC;

"""The attendance service's runtime, typed: what its routes, handlers and sweep run on."""

from forlob_attendance.application.courses import CoursePolicy
from forlob_attendance.db.uow import AttendanceUnitOfWork
from forlob_attendance.settings import AttendanceSettings
from forlob_shared.runtime import Runtime

# Its parts: the course policy, from the settings, for the course use cases.
AttendanceRuntime = Runtime[AttendanceUnitOfWork, AttendanceSettings, CoursePolicy]


def course_policy(settings: AttendanceSettings) -> CoursePolicy:
    return CoursePolicy(settings.absence_grace_minutes, settings.materialise_days_ahead)

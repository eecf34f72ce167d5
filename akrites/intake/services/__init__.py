"""Writes for reports: recording parsed submissions, opening or joining their cases."""

from akrites.intake.services.record import Outcome, Submission, report_create, reports_record

__all__ = ["Outcome", "Submission", "report_create", "reports_record"]

"""The report page and its signed links."""

from doctor.reports.links import report_url, verify
from doctor.reports.page import HEADERS, render

__all__ = ["HEADERS", "render", "report_url", "verify"]

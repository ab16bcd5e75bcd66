"""Alarms in: CloudWatch alarm state changes from EventBridge, diagnosed in the background."""

from doctor.alerts.event import AlarmEvent, parse_event
from doctor.alerts.jobs import AlertJobs, Job
from doctor.alerts.runner import AlertRunner
from doctor.alerts.service import Alerts

__all__ = ["AlarmEvent", "AlertJobs", "AlertRunner", "Alerts", "Job", "parse_event"]

"""Log sources: where the records to diagnose come from (CloudWatch, a file, stdin)."""

from doctor.logs.cloudwatch import CloudWatchLogs
from doctor.logs.cloudwatch_source import CloudWatchSource
from doctor.logs.file import FileSource, read_lines
from doctor.logs.merged import MergedSource
from doctor.logs.source import Batch, LogSource

__all__ = [
    "Batch",
    "CloudWatchLogs",
    "CloudWatchSource",
    "FileSource",
    "LogSource",
    "MergedSource",
    "read_lines",
]

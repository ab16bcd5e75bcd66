"""Log sources: where the lines to diagnose come from. CloudWatch arrives with the AWS issue."""

from doctor.logs.file import STDIN, read_lines

__all__ = ["STDIN", "read_lines"]

"""resource_exhaustion: every limit but memory and disk: file descriptors, thread and process
limits, ephemeral ports.

One module per scenario: `files` (fd-exhaustion), `threads`, `ports`.
"""

from chaos_app.scenarios.resource_exhaustion.files import fd_exhaustion
from chaos_app.scenarios.resource_exhaustion.ports import port_exhaustion
from chaos_app.scenarios.resource_exhaustion.threads import thread_exhaustion

__all__ = ["fd_exhaustion", "port_exhaustion", "thread_exhaustion"]

"""The knowledge base: every rule, in tie-break order (earlier wins at equal weight).

Rules live in kb_*.py by area; this module only assembles them and checks the invariants the
engine relies on (unique ids).
"""

from __future__ import annotations

from doctor.engines.rules.base import Rule
from doctor.engines.rules.kb_access import ACCESS_RULES
from doctor.engines.rules.kb_config import CONFIG_RULES
from doctor.engines.rules.kb_db_connection import DB_CONNECTION_RULES
from doctor.engines.rules.kb_db_errors import DB_ERROR_RULES
from doctor.engines.rules.kb_limits import LIMIT_RULES
from doctor.engines.rules.kb_memory_disk import MEMORY_DISK_RULES
from doctor.engines.rules.kb_network import NETWORK_RULES
from doctor.engines.rules.kb_rate import RATE_RULES
from doctor.engines.rules.kb_runtime import RUNTIME_RULES
from doctor.engines.rules.kb_tls_dns import TLS_DNS_RULES

RULES: tuple[Rule, ...] = (
    *DB_CONNECTION_RULES,
    *DB_ERROR_RULES,
    *MEMORY_DISK_RULES,
    *LIMIT_RULES,
    *ACCESS_RULES,
    *RATE_RULES,
    *TLS_DNS_RULES,
    *NETWORK_RULES,
    *CONFIG_RULES,
    *RUNTIME_RULES,
)

_ids = [r.id for r in RULES]
if len(_ids) != len(set(_ids)):  # pragma: no cover - a knowledge-base authoring error
    raise RuntimeError(f"duplicate rule ids: {sorted({i for i in _ids if _ids.count(i) > 1})}")

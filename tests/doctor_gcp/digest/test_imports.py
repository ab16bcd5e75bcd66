"""Importing the digest is light: drain3 loads when a digest is mined, pydantic never."""

from __future__ import annotations

import subprocess
import sys


def _loaded(code: str) -> str:
    probe = f"{code}\nprint('drain3' in sys.modules, 'pydantic' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", f"import sys\n{probe}"], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_importing_the_digest_loads_neither_drain3_nor_pydantic() -> None:
    assert _loaded("import doctor.digest.types") == "False False"
    assert _loaded("import doctor.digest") == "False False"


def test_drain3_loads_when_a_digest_is_mined() -> None:
    code = "from doctor.digest import digest_lines\ndigest_lines(['ERROR db down'])"
    assert _loaded(code) == "True False"

"""Where the shared reference material (peers' files, validation data) lives.

The project's checkout has ``shared/`` beside it (``../shared``); ``BLOCS_SHARED`` overrides.
Tests that need it skip with a reason on a machine without it, except under CI (``CI`` set),
where a missing folder is an error: the reference comparisons must run there.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _find() -> Path:
    candidates = [os.environ.get("BLOCS_SHARED"), REPO.parent / "shared", REPO / "shared"]
    for c in candidates:
        if c and (Path(c) / "peers").is_dir():
            return Path(c)
    return REPO.parent / "shared"


SHARED = _find()


def require(path: Path) -> Path:
    """``path`` under SHARED, or skip the test (fail under CI) when it is missing."""
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: CI must run the reference comparisons")
        pytest.skip(f"{path} not available on this machine (set BLOCS_SHARED)")
    return path


# For test modules that read the shared reference files throughout: skip them, with the
# reason, on a machine without shared/ (never under CI, where the tests then fail).
needs_shared = pytest.mark.skipif(
    not (SHARED / "peers").is_dir() and not os.environ.get("CI"),
    reason=f"{SHARED} not available on this machine (set BLOCS_SHARED)",
)

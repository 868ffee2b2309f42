"""espeak-ng for the prompt audio tests: skip where it is missing, fail in CI.

CI installs it (.ci/run) and sets ``HOTLINE_REQUIRE_ESPEAK=1``, so a missing program fails
there instead of quietly skipping every audio test; a developer's machine skips with the
reason.
"""

from __future__ import annotations

import os
import shutil

import pytest

from hotline.channels.prompt_audio import ESPEAK, INSTALL


def require_espeak() -> str:
    """The espeak-ng program, or skip (fail under ``HOTLINE_REQUIRE_ESPEAK=1``)."""
    found = shutil.which(ESPEAK)
    if found is None:
        reason = f"{ESPEAK} is not installed (`{INSTALL}`): prompt audio is not rendered"
        if os.environ.get("HOTLINE_REQUIRE_ESPEAK") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return found

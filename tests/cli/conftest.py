from __future__ import annotations

from platform_helpers import exported  # noqa: F401 - fixture
from smtp_sink import sink  # noqa: F401 - fixture

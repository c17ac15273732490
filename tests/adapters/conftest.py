from __future__ import annotations

from smtp_sink import sink  # noqa: F401 - fixture

from __future__ import annotations

import pytest
from smtp_sink import sink  # noqa: F401 - fixture

from incident_app.services.container import Services


@pytest.fixture
def incident_id(services: Services, intake: dict[str, object]) -> int:
    return services.incidents.create(intake).id

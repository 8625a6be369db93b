from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers.redis import RedisServer, start_redis


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = start_redis()
    try:
        yield server
    finally:
        server.stop()

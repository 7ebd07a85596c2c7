"""Scaled out, the per-minute counters of the public forms live in Redis (touchstone.core.cache): each count is one
round trip, the counter lives a little over its minute, two workers count on one counter, and one Redis client
serves every call. Redis at 127.0.0.1:6379 (database 8), keys under a prefix of the test's own."""

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings

from touchstone.core import ratelimit
from touchstone.core.cache import RedisCache

REDIS_URL = os.environ.get("TOUCHSTONE_TEST_CACHE_REDIS_URL", "redis://127.0.0.1:6379/8")


def _cache() -> RedisCache:
    return RedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})


@pytest.fixture
def redis_cache() -> Iterator[RedisCache]:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError:
        pytest.skip(f"Redis is not answering at {REDIS_URL}")
    cache = _cache()
    yield cache
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{cache.key_prefix}*"))
    if keys:
        client.delete(*keys)


class CommandCounter:
    """Counts the round trips a Redis connection makes (each send of one or more packed commands)."""

    def __init__(self, cache: RedisCache) -> None:
        self.trips = 0
        self.pool = cache._cache._get_connection_pool(True)

    def __enter__(self) -> "CommandCounter":
        connection_class = self.pool.connection_class
        counter = self
        original = connection_class.send_packed_command

        def counted(connection: Any, command: Any, check_health: bool = True) -> None:
            counter.trips += 1
            original(connection, command, check_health)

        self.original = original
        connection_class.send_packed_command = counted
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.connection_class.send_packed_command = self.original


def test_a_count_is_one_round_trip_and_the_counter_outlives_its_minute_only_a_little(
    redis_cache: RedisCache,
) -> None:
    redis_cache.count_in_window("warm", 70)  # the connection's own handshake is not a count
    with CommandCounter(redis_cache) as counter:
        counts = [redis_cache.count_in_window("survey:1:abc", 70) for _ in range(3)]
    assert counts == [1, 2, 3]
    assert counter.trips == 3
    client = redis_cache._cache.get_client(write=True)
    lifetime = client.ttl(redis_cache.make_key("survey:1:abc"))
    assert 60 < lifetime <= 70  # set by the first count; later counts do not push it back


def test_two_workers_count_on_one_counter(redis_cache: RedisCache) -> None:
    other_worker = RedisCache(REDIS_URL, {"KEY_PREFIX": redis_cache.key_prefix})
    assert redis_cache.count_in_window("burst:9", 70) == 1
    assert other_worker.count_in_window("burst:9", 70) == 2
    assert redis_cache.get("burst:9") == 2  # an ordinary integer in the cache, as Django's incr keeps it


def test_one_redis_client_serves_every_call(redis_cache: RedisCache) -> None:
    first = redis_cache._cache.get_client(write=True)
    redis_cache.set("a", 1)
    redis_cache.count_in_window("b", 70)
    assert redis_cache._cache.get_client(write=True) is first
    assert redis_cache.get("a") == 1


def test_the_limit_refuses_past_its_count_on_redis(redis_cache: RedisCache, rf: Any) -> None:
    request = rf.post("/s/abc/", REMOTE_ADDR="203.0.113.9")
    redis = {
        "BACKEND": "touchstone.core.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": redis_cache.key_prefix,
    }
    with override_settings(CACHES={"default": redis}):  # Django swaps its cache handler for the block
        refused = [ratelimit.over_limit(request, "survey:42", 3) for _ in range(5)]
    assert refused == [False, False, False, True, True]


def test_a_count_after_redis_dropped_the_connection_connects_again(redis_cache: RedisCache) -> None:
    assert redis_cache.count_in_window("kiosk:3", 70) == 1
    client = redis_cache._cache.get_client(write=True)
    client.execute_command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes")  # as a Redis restart would
    assert redis_cache.count_in_window("kiosk:3", 70) == 2
    assert redis_cache.count_in_window("kiosk:3", 70) == 3

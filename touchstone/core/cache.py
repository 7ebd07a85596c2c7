"""Django's Redis cache, with two things the public forms' per-minute counters need.

Django's client makes a new `redis.Redis` for every cache call, and each one builds its table of ~170 reply
callbacks: on a survey submission that was a sixth of the server's CPU. A `redis.Redis` over a connection pool is
safe to share between threads (redis-py says so), so one per pool serves every call.

A per-minute counter was three round trips (INCR refused for a missing key, then EXISTS and INCR inside Django's
`incr`, or ADD when the minute is new). `count_in_window` is one: SET ... NX EX and INCR sent together, so the
first attempt of a minute makes the counter with its lifetime, and every attempt adds one (INCR keeps the lifetime).
Both commands are in every Redis since 2.6.12. The two go out on a connection each web thread keeps for counting,
not one borrowed from redis-py's pool: borrowing checks the socket with a system call and records metrics, which
cost as much CPU as the round trip itself (a survey answer counts twice).
"""

import os
import threading
from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # Django's, not in its stubs
        client = self._clients.get(id(pool))
        if client is None:
            # Two threads may both make one at first; either serves, and the dictionary keeps the last.
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    def count_in_window(self, key: str, seconds: int) -> int:
        """Add one to the counter `key` and return it; the counter is forgotten `seconds` after its first count."""
        key = self.make_and_validate_key(key)
        commands = [("SET", key, 0, "EX", seconds, "NX"), ("INCR", key)]
        for attempt in (1, 2):
            connection = self._counting_connection()
            try:
                connection.send_packed_command(connection.pack_commands(commands))
                connection.read_response()
                return int(connection.read_response())
            except (RedisConnectionError, RedisTimeoutError):
                connection.disconnect()  # a restarted Redis: connect again, once
                if attempt == 2:
                    raise
            except BaseException:
                connection.disconnect()  # a reply may be left unread: never reuse the connection half-way
                raise
        raise AssertionError("unreachable")

    def _counting_connection(self) -> Any:
        """This thread's own connection for counting (made with the pool's settings; a forked worker makes its own)."""
        held = getattr(_COUNTING, "connection", None)
        if held is None or held[0] != os.getpid() or held[1] is not self:
            pool = self._cache._get_connection_pool(True)  # type: ignore[attr-defined]
            held = (os.getpid(), self, pool.connection_class(**pool.connection_kwargs))
            _COUNTING.connection = held
        return held[2]


_COUNTING = threading.local()

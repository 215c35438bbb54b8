"""Django's Redis cache, minus a per-call cost: one redis-py client per connection pool.

Django's RedisCacheClient builds a new redis.Redis object for every cache call, and building one
copies its table of response callbacks (hundreds of entries): a quarter of a millisecond per call,
more than the round trip to Redis itself. redis-py clients are thread-safe and hold no per-call
state, so one per pool is enough; the pools (and so the connections) are Django's, as before.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    """RedisCacheClient that builds each pool's redis.Redis once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class ReusedClientRedisCache(RedisCache):
    """`django.core.cache.backends.redis.RedisCache` with ReusedClientRedisCacheClient."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient

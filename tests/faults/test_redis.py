"""Redis stops and starts again: sign-in and quizzes carry on; limits return to Redis."""

import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request

from tests.faults.harness import Stream, check_writes, make_learners


def _probe(server, redis_server, n: int) -> bool:
    """One failed sign-in from a fresh address; True when its counter reached Redis."""
    address = f"10.250.{n // 250}.{n % 250 + 1}"
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    headers = {"X-Forwarded-For": address}
    with opener.open(urllib.request.Request(server.base + "/login", headers=headers)) as r:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', r.read().decode()).group(1)
    body = urllib.parse.urlencode(
        {"csrf_token": token, "email": f"probe{n}@example.org", "password": "not the password"}
    ).encode()
    try:
        opener.open(urllib.request.Request(server.base + "/login", body, headers)).close()
    except urllib.error.HTTPError as exc:
        assert exc.code in (401, 429), exc.code
    return bool(redis_server.client().keys(f"*{address}*"))


def test_redis_stopped_then_restarted(server, redis_server, postgres, figures):
    url = postgres[0]
    learners = make_learners(url, "redis", 12)
    stream = Stream(server.base, learners)
    probes = iter(range(10_000))
    assert _probe(server, redis_server, next(probes))  # counters live in Redis

    stream.run_for(2)  # before
    outage = {}

    def stop_redis():
        redis_server.stop()
        time.sleep(1)
        outage["health"] = server.health()

    stream.run_for(3, while_running=stop_redis)  # during
    recovered = {}

    def restart_and_measure():
        redis_server.start()
        back = time.monotonic()
        # Recovered: from the first of six probes in a row (spread over both workers) that
        # all counted in Redis again.
        streak, streak_began = 0, None
        while streak < 6 and time.monotonic() - back < 30:
            sent = time.monotonic()
            if _probe(server, redis_server, next(probes)):
                streak, streak_began = streak + 1, streak_began or sent
            else:
                streak, streak_began = 0, None
            time.sleep(0.05)
        recovered["seconds"] = (streak_began or time.monotonic()) - back
        recovered["health"] = server.health()

    stream.run_for(3, while_running=restart_and_measure)  # after
    writes = check_writes(url, learners)
    figures.add("Redis stopped 3 s, then restarted", stream, writes, recovered["seconds"])

    status, body = outage["health"]
    assert status == 200 and body["status"] == "degraded", body
    assert body["checks"]["redis"]["status"] == "down"
    assert recovered["health"][1]["checks"]["redis"]["status"] == "ok"
    counts = stream.counts()
    assert counts["5xx"] == 0 and counts["503"] == 0 and counts["cut"] == 0, counts
    assert writes["lost"] == writes["duplicated"] == writes["partial"] == 0, writes
    assert not stream.lost, stream.lost
    assert writes["confirmed"] > 0
    assert recovered["seconds"] <= 5
    log = server.log_text()
    fallbacks = log.count("falling back to in-memory storage")
    # Said once per worker when Redis goes; a worker whose recheck caught Redis still shutting
    # down (PING answered, the next command refused) says "recovered" and then once more.
    recoveries = log.count("Rate limit storage recovered")
    assert 1 <= fallbacks <= 2 * server.workers, fallbacks
    assert fallbacks - server.workers <= recoveries, (fallbacks, recoveries)

"""The job queue's Redis stops: mail waits in the database outbox, sign-in carries on; Redis
comes back: everything is delivered, none twice, without restarting anything."""

import http.cookiejar
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import sqlalchemy as sa
from aiosmtpd.controller import Controller

from tests.faults.harness import Stream, check_writes, free_port, make_learners, wait_for


class _Inbox:
    def __init__(self):
        self.ids = []

    async def handle_DATA(self, server, session, envelope):
        found = re.search(rb"^Message-ID: (\S+)", envelope.content, re.M | re.I)
        self.ids.append(found.group(1).decode() if found else "")
        return "250 Message accepted"


def _ask_for_reset(server, learner) -> int:
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    headers = {"X-Forwarded-For": learner.address}
    request = urllib.request.Request(server.base + "/password/forgot", headers=headers)
    with opener.open(request) as page:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.read().decode()).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": learner.email}).encode()
    with opener.open(urllib.request.Request(server.base + "/password/forgot", body, headers)) as r:
        return r.status


def _outbox(url: str) -> dict:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return dict(
                connection.execute(
                    sa.text(
                        "SELECT status, count(*) FROM outbox_messages "
                        "WHERE kind = 'account.password_reset' GROUP BY status"
                    )
                ).all()
            )
    finally:
        engine.dispose()


def test_queue_redis_stopped_then_restarted(server, redis_server, postgres, figures, tmp_path):
    url = postgres[0]
    inbox = _Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    env = {
        **server.env,
        "LMS_MAIL_SERVER": "127.0.0.1",
        "LMS_MAIL_PORT": str(smtp.port),
        "LMS_MAIL_USE_TLS": "0",
        # The sweep waits longer than the scenario: what Redis brings back is the job queue.
        "LMS_WORKER_SWEEP_SECONDS": "60",
    }
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115 - closed in finally
    worker = subprocess.Popen(
        [sys.executable, "-m", "lms.cli", "worker"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        learners = make_learners(url, "queue", 12)
        asked = learners[:4], learners[4:8], learners[8:]
        stream = Stream(server.base, learners)
        for learner in asked[0]:
            assert _ask_for_reset(server, learner) == 200
        stream.run_for(2)  # before
        wait_for(lambda: len(inbox.ids) == 4, 15, "the first four messages")
        outage = {}

        def stop_redis():
            redis_server.stop()
            for learner in asked[1]:
                assert _ask_for_reset(server, learner) == 200
            outage["outbox"] = _outbox(url)
            outage["health"] = server.health()

        stream.run_for(3, while_running=stop_redis)  # during
        recovered = {}

        def restart_and_measure():
            redis_server.start()
            back = time.monotonic()
            for learner in asked[2]:
                assert _ask_for_reset(server, learner) == 200
            wait_for(lambda: len(inbox.ids) >= 12, 30, "every message after Redis returned")
            recovered["seconds"] = time.monotonic() - back

        stream.run_for(3, while_running=restart_and_measure)  # after
        writes = check_writes(url, learners)
        time.sleep(2)  # a second delivery would show by now
        figures.add(
            "queue: Redis stopped, mail waits in outbox", stream, writes, recovered["seconds"]
        )
        print(f"messages: 12 asked, {len(inbox.ids)} delivered, {len(set(inbox.ids))} distinct")

        status, body = outage["health"]
        assert status == 200 and body["checks"]["queue"]["status"] == "degraded", body
        assert outage["outbox"] == {"sent": 4, "queued": 4}, outage["outbox"]  # held, not lost
        assert len(inbox.ids) == 12 and len(set(inbox.ids)) == 12  # all of them, none twice
        assert _outbox(url) == {"sent": 12}
        counts = stream.counts()
        assert counts["5xx"] == 0 and counts["cut"] == 0, counts
        assert writes["lost"] == writes["duplicated"] == writes["partial"] == 0, writes
        assert recovered["seconds"] <= 5
    finally:
        worker.terminate()
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:  # RQ's warm shutdown waits on a blocked dequeue
            worker.kill()
            worker.wait(10)
        log.close()
        smtp.stop()

"""CPU time and SQL statements per request of each page of the load mix, in-process.

Seeds a throwaway SQLite database the way ``bench/load.py`` does (fewer learners by default),
then requests each endpoint of ``load.ENDPOINTS`` through Flask's test client, ``--repeat``
times, and prints per endpoint the SQL statements per request and the CPU milliseconds per
request (median of ``time.process_time``). No server and no locust: CPU time and statement
counts hold on a busy machine where wall-clock figures do not, so this is the before/after
check for a change to a page. The last line is one JSON object.

    .venv/bin/python bench/pages.py [--learners 200] [--repeat 60] [--profile]
"""

import argparse
import json
import os
import secrets
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=200, help="learners seeded (200)")
    parser.add_argument("--repeat", type=int, default=60, help="requests per endpoint (60)")
    parser.add_argument("--only", help="these endpoints only (comma-separated)")
    parser.add_argument("--profile", action="store_true", help="cProfile each endpoint too")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    sys.path.insert(0, str(ROOT / "bench"))
    import load
    from common import code_version

    names = [n.strip() for n in (args.only or "").split(",") if n.strip()] or list(
        load.MIX_ENDPOINTS
    )
    if set(names) - set(load.MIX_ENDPOINTS):
        parser.error(f"--only takes endpoints from: {', '.join(load.MIX_ENDPOINTS)}")
    tmp = Path(tempfile.mkdtemp(prefix="lms-pages-"))
    try:
        env = {
            **os.environ,
            "LMS_ENV": "production",
            "LMS_SECRET_KEY": secrets.token_urlsafe(48),
            "LMS_INSECURE_COOKIES": "1",
            "LMS_BASE_URL": "http://127.0.0.1",
            "LMS_DATABASE_URL": f"sqlite:///{tmp / 'pages.sqlite3'}",
            "LMS_INSTANCE_PATH": str(tmp / "instance"),
            "LMS_CONTENT_DIR": str(ROOT / "content"),
            "LMS_RATELIMIT_ENABLED": "0",
        }
        env.pop("LMS_REDIS_URL", None)
        print(f"seeding {args.learners} learners on SQLite ...", flush=True)
        seeded, seed_s = load.prepare_database(env, args.learners, 1)
        results = load.measure_in_process(seeded, names, args.repeat, profile=args.profile)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nIn-process, SQLite, {args.learners} learners, code {code_version()}")
    print(f"{'endpoint':<18}{'requests':>9}{'SQL':>9}{'CPU ms':>9}{'wall ms':>9}")
    for name, r in results.items():
        statements = "/".join(map(str, r["queries"]))
        print(
            f"{name:<18}{r['requests']:>9}{statements:>9}{r['cpu_ms_p50']:>9.2f}{r['ms_p50']:>9.2f}"
        )
    if args.profile:
        load.print_profile(results)
    print(
        json.dumps(
            {
                "benchmark": "pages",
                "code": code_version(),
                "learners": args.learners,
                "seed_s": round(seed_s, 1),
                "endpoints": {
                    n: {k: r[k] for k in ("requests", "queries", "cpu_ms_p50", "ms_p50")}
                    for n, r in results.items()
                },
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The production server's access log keeps the tokens in links out."""

import datetime as dt
import importlib.util
from pathlib import Path
from types import SimpleNamespace

from gunicorn.config import Config

CONF = Path(__file__).resolve().parent.parent / "lms" / "gunicorn_conf.py"


def load_conf():
    spec = importlib.util.spec_from_file_location("gunicorn_conf_under_test", CONF)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_access_log_redacts_reset_and_set_password_tokens_and_feed_addresses():
    conf = load_conf()
    config = Config()
    config.set("logger_class", conf.logger_class)
    logger = config.logger_class(config)
    for path in (
        "/password/reset/eyJ1IjoxfQ.abc.def",
        "/set-password/eyJ1IjoxfQ.abc.def?x=1",
        "/calendar/s3cr3t.ics",
        "/calendar/cohort/s3cr3t.ics",
    ):
        environ = {
            "REQUEST_METHOD": "GET",
            "RAW_URI": path,
            "PATH_INFO": path.split("?")[0],
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_REFERER": f"https://academy.example.org{path}",
        }
        resp = SimpleNamespace(status="200 OK", sent=10, headers=[])
        atoms = logger.atoms(resp, SimpleNamespace(headers=[]), environ, dt.timedelta(0))
        for key in ("r", "U", "f"):
            assert "[redacted]" in atoms[key], (key, atoms[key])
            assert "abc" not in atoms[key] and "s3cr3t" not in atoms[key]
    assert conf.redact_secrets("GET /courses/x/ HTTP/1.1") == "GET /courses/x/ HTTP/1.1"


def test_forwarded_headers_are_trusted_only_from_configured_proxies(monkeypatch):
    """X-Forwarded-Proto from 127.0.0.1 is no longer trusted unless a proxy is configured."""
    monkeypatch.delenv("LMS_TRUSTED_PROXIES", raising=False)
    monkeypatch.delenv("LMS_FORWARDED_ALLOW_IPS", raising=False)
    assert load_conf().forwarded_allow_ips == ""
    monkeypatch.setenv("LMS_TRUSTED_PROXIES", "1")
    assert load_conf().forwarded_allow_ips == "127.0.0.1,::1"
    monkeypatch.setenv("LMS_FORWARDED_ALLOW_IPS", "10.0.0.5")
    assert load_conf().forwarded_allow_ips == "10.0.0.5"
    monkeypatch.setenv("LMS_TRUSTED_PROXIES", "0")
    assert load_conf().forwarded_allow_ips == ""


def test_the_app_is_loaded_once_before_forking_unless_turned_off(monkeypatch):
    """Workers share the master's memory (issue 17); ``LMS_PRELOAD=0`` loads it per worker."""
    monkeypatch.delenv("LMS_PRELOAD", raising=False)
    assert load_conf().preload_app is True
    monkeypatch.setenv("LMS_PRELOAD", "0")
    assert load_conf().preload_app is False

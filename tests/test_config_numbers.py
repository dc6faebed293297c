"""A bad number in an LMS_* variable stops the start with a message naming it, not a traceback."""

import os
import subprocess
import sys

import pytest

from lms.config import ConfigError, load_config


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LMS_AT_RISK_INACTIVE_DAYS", "abc"),
        ("LMS_SESSION_IDLE_MINUTES", "-5"),
        ("LMS_PAGE_SIZE", "0"),
        ("LMS_MAIL_PORT", "70000"),
        ("LMS_REMEMBER_DAYS", "1.5"),
    ],
)
def test_a_bad_number_names_the_variable_and_what_it_expects(tmp_path, name, value):
    with pytest.raises(ConfigError, match=f"{name}=.*expected a whole number"):
        load_config(str(tmp_path), {"LMS_ENV": "testing", name: value})


def test_unset_or_empty_numbers_keep_their_defaults(tmp_path):
    config = load_config(str(tmp_path), {"LMS_ENV": "testing", "LMS_PAGE_SIZE": ""})
    assert config["LMS_PAGE_SIZE"] == 20 and config["LMS_SESSION_IDLE_MINUTES"] == 30


def test_the_cli_prints_the_message_and_exits_non_zero(tmp_path):
    env = {
        **os.environ,
        "LMS_ENV": "testing",
        "LMS_INSTANCE_PATH": str(tmp_path),
        "LMS_AT_RISK_INACTIVE_DAYS": "abc",
    }
    result = subprocess.run(
        [sys.executable, "-m", "lms.cli", "routes"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "LMS_AT_RISK_INACTIVE_DAYS='abc' is not a number" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_wsgi_entry_point_prints_the_message_and_exits_non_zero(tmp_path):
    env = {
        **os.environ,
        "LMS_ENV": "testing",
        "LMS_INSTANCE_PATH": str(tmp_path),
        "LMS_SESSION_IDLE_MINUTES": "-5",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import lms.wsgi"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3
    assert "Cannot start: LMS_SESSION_IDLE_MINUTES='-5' is out of range" in result.stderr
    assert "Traceback" not in result.stderr

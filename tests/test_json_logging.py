"""VERACITY_LOG_FORMAT=json: one JSON object per log line, with the request id the audit trail records."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from veracity.audit.context import RequestContext, reset_request_context, set_request_context
from veracity.config.logging import JsonFormatter

ROOT = Path(__file__).resolve().parent.parent


def test_a_log_record_becomes_one_json_line_with_the_request_id_and_extras():
    record = logging.LogRecord("veracity.jobs", logging.WARNING, __file__, 1, "Job %s failed", ("42",), None)
    record.job_id = "42"
    token = set_request_context(RequestContext(ip_address="10.0.0.1", request_id="abc123"))
    try:
        line = JsonFormatter().format(record)
    finally:
        reset_request_context(token)
    entry = json.loads(line)
    assert "\n" not in line
    assert (entry["level"], entry["logger"], entry["message"]) == ("WARNING", "veracity.jobs", "Job 42 failed")
    assert entry["request_id"] == "abc123" and entry["job_id"] == "42" and entry["time"].endswith("+00:00")


def test_an_exception_is_kept_inside_the_json_line():
    try:
        raise ValueError("bad <input>")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", (), sys.exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert "ValueError: bad <input>" in entry["exception"]


def test_the_setting_switches_the_console_handler_to_json_and_refuses_unknown_formats():
    code = "import django, logging; django.setup(); logging.getLogger('veracity.t').warning('hello %s', 'json')"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "veracity.config.settings", "VERACITY_LOG_FORMAT": "json"}
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stderr.strip().splitlines()[-1])["message"] == "hello json"
    env["VERACITY_LOG_FORMAT"] = "xml"
    refused = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
    assert refused.returncode != 0 and "VERACITY_LOG_FORMAT must be plain or json" in refused.stderr

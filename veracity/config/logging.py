"""Structured logs: with VERACITY_LOG_FORMAT=json every log record is one JSON object per line (for
journald, Loki, Elasticsearch…), carrying the request id that the audit trail records beside each
change, so a log line and an audit event can be matched."""

import datetime as dt
import json
import logging
import traceback

STANDARD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        from veracity.audit.context import current_request_context  # settings load before the apps

        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        context = current_request_context()
        if context.request_id:
            entry["request_id"] = context.request_id
        if record.exc_info:
            entry["exception"] = "".join(traceback.format_exception(*record.exc_info))
        for key, value in vars(record).items():  # extra={...} given to the logger
            if key not in STANDARD_ATTRIBUTES and not key.startswith("_") and key not in entry:
                try:
                    json.dumps(value)
                except TypeError:
                    value = str(value)
                entry[key] = value
        return json.dumps(entry, ensure_ascii=False)

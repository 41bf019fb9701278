"""Grandfather-father-son retention as a pure function: which scheduled backups to keep."""

import datetime as dt
from collections.abc import Iterable


def retention_keep(backups: Iterable[tuple[str, dt.datetime]], *, hourly: int, daily: int,
                   monthly: int) -> set[str]:
    """Keep the newest backup of each of the last `hourly` hours, `daily` days and `monthly` months that
    have a backup at all (UTC buckets). Returns the names to keep; everything else may go."""
    newest_first = sorted(backups, key=lambda item: item[1], reverse=True)
    keep: set[str] = set()
    for count, bucket_format in ((hourly, "%Y-%m-%d %H"), (daily, "%Y-%m-%d"), (monthly, "%Y-%m")):
        buckets: set[str] = set()
        for name, created_at in newest_first:
            bucket = created_at.astimezone(dt.UTC).strftime(bucket_format)
            if bucket in buckets:
                continue
            if len(buckets) >= count:
                break
            buckets.add(bucket)
            keep.add(name)
    return keep

import datetime as dt

from ninja import Schema


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class UnreadCountOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int


class PreferenceOut(Schema):
    frequency: str
    kind_frequencies: dict[str, str]
    kinds: dict[str, str]


class PreferenceIn(Schema):
    frequency: str | None = None
    kind_frequencies: dict[str, str] | None = None

import datetime as dt

from ninja import Schema
from pydantic import Field


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    email: str
    team_id: int | None
    roles: list[str]

    @staticmethod
    def resolve_roles(obj) -> list[str]:
        return sorted(role.code for role in obj.roles.all())


class TeamOut(Schema):
    id: int
    name: str
    manager_id: int | None


class ApiTokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class ApiTokenIn(Schema):
    name: str = Field(min_length=1, max_length=100)


class ApiTokenCreatedOut(ApiTokenOut):
    token: str = Field(description="The raw token. Shown once; only its hash is stored.")

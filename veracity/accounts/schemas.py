import datetime as dt
from typing import Literal

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


class UserAdminOut(UserOut):
    is_active: bool


class UserCreateIn(Schema):
    """Writable fields when an administrator creates a user."""

    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=4096)
    display_name: str = Field("", max_length=100)
    email: str = Field("", max_length=254)
    team_id: int | None = None
    roles: list[str] = Field(default_factory=lambda: ["sales_rep"], max_length=10)


class UserPatchIn(Schema):
    """Writable fields of a user (accounts.services.USER_WRITABLE_FIELDS); anything else is refused."""

    model_config = {"extra": "forbid"}

    display_name: str | None = Field(None, max_length=100)
    email: str | None = Field(None, max_length=254)
    team_id: int | None = None
    roles: list[str] | None = Field(None, max_length=10)
    is_active: bool | None = None


class TeamIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    manager_id: int | None = None


class TeamPatchIn(Schema):
    model_config = {"extra": "forbid"}

    name: str | None = Field(None, min_length=1, max_length=100)
    manager_id: int | None = None


class PermissionOut(Schema):
    role: str
    resource: str
    action: str
    scope: str = Field(description="own | team | all | none")


class PermissionIn(Schema):
    scope: Literal["own", "team", "all", "none"]


class FieldPermissionOut(Schema):
    role: str
    resource: str
    field: str


class PermissionMatrixOut(Schema):
    permissions: list[PermissionOut]
    field_permissions: list[FieldPermissionOut]

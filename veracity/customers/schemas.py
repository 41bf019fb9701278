import datetime as dt

from ninja import Schema
from pydantic import Field

from veracity.customers.models import CompanySize, CustomerKind, CustomerSource, Industry, LifecycleStatus


class TagOut(Schema):
    id: int
    name: str


class CustomerOut(Schema):
    id: int
    code: str
    kind: str
    name: str
    name_pinyin: str
    name_initials: str
    credit_code: str
    industry: str
    size: str
    source: str
    lifecycle_status: str
    owner_id: int
    owner_username: str
    phone: str
    email: str
    website: str
    country: str
    province: str
    city: str
    district: str
    address_line: str
    postal_code: str
    notes: str
    tags: list[str]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_owner_username(customer) -> str:
        return customer.owner.username

    @staticmethod
    def resolve_tags(customer) -> list[str]:
        return [tag.name for tag in customer.tags.all()]  # prefetched by the selector


class CustomerIn(Schema):
    """Writable fields only. Owner (see /transfer), version and bookkeeping fields cannot be set."""

    code: str = Field("", max_length=64, description="Left empty, a code such as C000123 is generated.")
    kind: CustomerKind = CustomerKind.COMPANY
    name: str = Field(min_length=1, max_length=200)
    credit_code: str = Field("", max_length=40, description="统一社会信用代码, 18 characters; checked.")
    industry: Industry | None = None
    size: CompanySize | None = None
    source: CustomerSource | None = None
    lifecycle_status: LifecycleStatus = LifecycleStatus.LEAD
    phone: str = Field("", max_length=40, description="Any usual format; stored as E.164.")
    email: str = Field("", max_length=254)
    website: str = Field("", max_length=200)
    country: str = Field("CN", min_length=2, max_length=2)
    province: str = Field("", max_length=50)
    city: str = Field("", max_length=50)
    district: str = Field("", max_length=50)
    address_line: str = Field("", max_length=255)
    postal_code: str = Field("", max_length=16)
    notes: str = Field("", max_length=10000)
    tags: list[str] = Field([], max_length=50)


class CustomerPatch(Schema):
    code: str | None = Field(None, max_length=64)
    kind: CustomerKind | None = None
    name: str | None = Field(None, min_length=1, max_length=200)
    credit_code: str | None = Field(None, max_length=40)
    industry: Industry | None = None
    size: CompanySize | None = None
    source: CustomerSource | None = None
    lifecycle_status: LifecycleStatus | None = None
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    website: str | None = Field(None, max_length=200)
    country: str | None = Field(None, min_length=2, max_length=2)
    province: str | None = Field(None, max_length=50)
    city: str | None = Field(None, max_length=50)
    district: str | None = Field(None, max_length=50)
    address_line: str | None = Field(None, max_length=255)
    postal_code: str | None = Field(None, max_length=16)
    notes: str | None = Field(None, max_length=10000)
    tags: list[str] | None = Field(None, max_length=50)
    version: int | None = Field(None, description="The version you read; or send If-Match.")


class TransferIn(Schema):
    owner_id: int
    version: int | None = Field(None, description="Optional: the version you read; or send If-Match.")


class ContactOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    name: str
    name_pinyin: str
    name_initials: str
    title: str
    department: str
    phone: str
    mobile: str
    email: str
    wechat: str
    is_primary: bool
    notes: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_customer_name(contact) -> str:
        return contact.customer.name


class ContactIn(Schema):
    customer_id: int
    name: str = Field(min_length=1, max_length=100)
    title: str = Field("", max_length=100)
    department: str = Field("", max_length=100)
    phone: str = Field("", max_length=40)
    mobile: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    wechat: str = Field("", max_length=64)
    is_primary: bool = False
    notes: str = Field("", max_length=10000)


class ContactPatch(Schema):
    customer_id: int | None = None
    name: str | None = Field(None, min_length=1, max_length=100)
    title: str | None = Field(None, max_length=100)
    department: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, max_length=40)
    mobile: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    wechat: str | None = Field(None, max_length=64)
    is_primary: bool | None = None
    notes: str | None = Field(None, max_length=10000)
    version: int | None = Field(None, description="The version you read; or send If-Match.")

"""Reads of the duplicates app, limited to what the user may see.

A cluster is visible to a user when at least one of its records is inside their `duplicate` scope (a
rep: a customer they own; a manager: their team's). Members outside the scope are shown without their
details (`ClusterView.hidden`)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet

from veracity.accounts.access import access_require, scoped
from veracity.accounts.models import Action, Resource
from veracity.core.errors import NotFound
from veracity.customers.models import Contact, Customer, CustomerKind
from veracity.dedup.models import ClusterMember, ClusterStatus, DuplicateCluster, Merge, ScanRun
from veracity.matching.canonical import phone_key, stored_match_keys
from veracity.matching.linkage import best_matches
from veracity.matching.scoring import COMPANY, CONTACT, DEFAULT_THRESHOLD, PERSON, MatchRecord, record_keys

CLUSTER_SORTS = {"score": ("-score", "-value"), "value": ("-value", "-score")}
# How many stored records the entry-time check scores at most: the best candidates by indexed keys.
CANDIDATE_LIMIT = 40


@dataclass(frozen=True)
class ClusterFilters:
    status: str = ClusterStatus.OPEN
    entity: str = ""
    sort: str = "score"


def _visible_members(user, action: str) -> QuerySet:
    return scoped(ClusterMember.objects.all(), user=user, resource=Resource.DUPLICATE, action=action)


def cluster_list(*, user, filters: ClusterFilters = ClusterFilters(), action: str = Action.VIEW) -> QuerySet:
    """Clusters touching at least one record in the user's scope, best first (by score or by value)."""
    visible = _visible_members(user, action).filter(cluster=OuterRef("pk"))
    clusters = DuplicateCluster.objects.filter(Exists(visible))
    if filters.status:
        clusters = clusters.filter(status=filters.status)
    if filters.entity:
        clusters = clusters.filter(entity=filters.entity)
    order = CLUSTER_SORTS.get(filters.sort, CLUSTER_SORTS["score"])
    return clusters.order_by(*order, "id").prefetch_related(
        "members__customer__owner", "members__contact__customer__owner", "pairs")


def cluster_get(*, user, pk: int, action: str = Action.VIEW) -> DuplicateCluster:
    cluster = cluster_list(user=user, filters=ClusterFilters(status=""), action=action).filter(pk=pk).first()
    if cluster is None:
        raise NotFound()
    return cluster


@dataclass
class MemberView:
    member: ClusterMember
    record: object
    visible: bool


@dataclass
class ClusterView:
    cluster: DuplicateCluster
    members: list[MemberView] = field(default_factory=list)

    @property
    def hidden(self) -> int:
        return sum(1 for member in self.members if not member.visible)


def cluster_views(*, user, clusters) -> list[ClusterView]:
    """Clusters with each member marked visible or not for this user (others' customers stay unnamed)."""
    clusters = list(clusters)
    member_ids = [member.pk for cluster in clusters for member in cluster.members.all()]
    visible = set(_visible_members(user, Action.VIEW).filter(pk__in=member_ids).values_list("pk", flat=True))
    return [ClusterView(cluster, [MemberView(m, m.record, m.pk in visible) for m in cluster.members.all()])
            for cluster in clusters]


def scan_list(*, user) -> QuerySet:
    access_require(user, Resource.DUPLICATE, Action.VIEW)
    return ScanRun.objects.all()


def merge_list(*, user) -> QuerySet:
    """Merges of records the user may edit (survivor within their customer scope)."""
    access_require(user, Resource.DUPLICATE, Action.VIEW)
    customers = scoped(Customer.all_objects.all(), user=user, resource=Resource.CUSTOMER, action=Action.VIEW)
    contacts = scoped(Contact.all_objects.all(), user=user, resource=Resource.CONTACT, action=Action.VIEW)
    return Merge.objects.filter(
        Q(model="customers.customer", survivor_id__in=customers.values("pk"))
        | Q(model="customers.contact", survivor_id__in=contacts.values("pk")))


def merge_get(*, user, pk: int) -> Merge:
    merge = merge_list(user=user).filter(pk=pk).first()
    if merge is None:
        raise NotFound()
    return merge


# ---------------------------------------------------------------------------------------------
# Entry-time check

@dataclass(frozen=True)
class LikelyDuplicate:
    id: int
    code: str
    name: str
    probability: float
    explanation: list[dict]
    url: str


def _customer_candidates(*, kind: str, name: str, phone: str, email: str, credit_code: str, exclude_pk: int | None):
    """One indexed lookup per key (an OR across columns would scan the table on SQLite), then the rows."""
    keys = stored_match_keys(name, company=kind == CustomerKind.COMPANY) if name else {}
    lookups = [("match_name", keys.get("match_name")), ("match_name_pinyin", keys.get("match_name_pinyin")),
               ("phone", phone), ("email", email), ("credit_code", credit_code)]
    if len(keys.get("match_brand") or "") >= 2:
        lookups.append(("match_brand", keys["match_brand"]))
    pks: list[int] = []
    for column, value in lookups:
        if value:
            pks.extend(Customer.objects.filter(**{column: value}).values_list("pk", flat=True)[:CANDIDATE_LIMIT])
    pks = [pk for pk in dict.fromkeys(pks) if pk != exclude_pk][:CANDIDATE_LIMIT]
    return Customer.objects.filter(pk__in=pks, kind=kind).only(
        "pk", "code", "name", "kind", "phone", "email", "credit_code", "city", "address_line", "postal_code",
        "country", "owner_id")


def likely_duplicates(*, user, values: dict, kind: str = CustomerKind.COMPANY, exclude_pk: int | None = None,
                      threshold: float = DEFAULT_THRESHOLD, limit: int = 5) -> list[LikelyDuplicate]:
    """Existing customers (that the user may see) the record described by `values` probably duplicates,
    best first, each with its explained score. `values` are form/API values (name, phone, email,
    credit_code, city, address_line, postal_code, country); raw phone formats are accepted.

    Candidates come from indexed columns (canonical name, its pinyin, brand, phone, email, credit code),
    so the answer takes milliseconds whatever the size of the base."""
    access_require(user, Resource.CUSTOMER, Action.VIEW)
    name = str(values.get("name") or "")
    country = str(values.get("country") or "CN")
    phone = phone_key(str(values.get("phone") or ""), country)
    email = str(values.get("email") or "").strip().lower()
    credit_code = str(values.get("credit_code") or "").strip().upper()
    if not (name or phone or email or credit_code):
        return []
    entity = COMPANY if kind == CustomerKind.COMPANY else PERSON
    candidates = list(_customer_candidates(kind=kind, name=name, phone=phone if phone.startswith("+") else "",
                                           email=email, credit_code=credit_code, exclude_pk=exclude_pk))
    if not candidates:
        return []
    visible = set(scoped(Customer.objects.filter(pk__in=[c.pk for c in candidates]), user=user,
                         resource=Resource.CUSTOMER, action=Action.VIEW).values_list("pk", flat=True))
    new = record_keys(MatchRecord(id=0, kind=entity, name=name, phones=(phone,) if phone else (), email=email,
                                  credit_code=credit_code, city=str(values.get("city") or ""),
                                  address=str(values.get("address_line") or ""),
                                  postal_code=str(values.get("postal_code") or ""), country=country))
    by_pk = {c.pk: c for c in candidates if c.pk in visible}
    existing = [record_keys(MatchRecord(id=c.pk, kind=entity, name=c.name, phones=(c.phone,) if c.phone else (),
                                        email=c.email, credit_code=c.credit_code, city=c.city, address=c.address_line,
                                        postal_code=c.postal_code, country=c.country)) for c in by_pk.values()]
    found = []
    for score in best_matches(new, existing, threshold=threshold, limit=limit):
        customer = by_pk[score.right]
        found.append(LikelyDuplicate(customer.pk, customer.code, customer.name, round(score.probability, 4),
                                     score.as_dict()["fields"], customer.get_absolute_url()))
    return found


def likely_duplicate_contacts(*, user, values: dict, exclude_pk: int | None = None,
                              threshold: float = DEFAULT_THRESHOLD, limit: int = 5) -> list[dict]:
    """Existing contacts the described contact probably duplicates (same rules as for customers)."""
    access_require(user, Resource.CONTACT, Action.VIEW)
    name = str(values.get("name") or "")
    mobile = phone_key(str(values.get("mobile") or ""))
    phone = phone_key(str(values.get("phone") or ""))
    email = str(values.get("email") or "").strip().lower()
    keys = stored_match_keys(name, company=False) if name else {}
    conditions = Q(pk__in=[])
    if keys.get("match_name_pinyin"):
        conditions |= Q(match_name_pinyin=keys["match_name_pinyin"])
    for number in {mobile, phone} - {""}:
        conditions |= Q(mobile=number) | Q(phone=number)
    if email:
        conditions |= Q(email=email)
    candidates = scoped(Contact.objects.filter(conditions), user=user, resource=Resource.CONTACT,
                        action=Action.VIEW).select_related("customer")
    if exclude_pk:
        candidates = candidates.exclude(pk=exclude_pk)
    candidates = list(candidates[:CANDIDATE_LIMIT])
    company = ""
    if values.get("customer"):
        company = Customer.objects.filter(pk=getattr(values["customer"], "pk", values["customer"])) \
            .values_list("name", flat=True).first() or ""
    new = record_keys(MatchRecord(id=0, kind=CONTACT, name=name, phones=tuple(p for p in (mobile, phone) if p),
                                  email=email, company=company))
    by_pk = {c.pk: c for c in candidates}
    existing = [record_keys(MatchRecord(id=c.pk, kind=CONTACT, name=c.name,
                                        phones=tuple(p for p in (c.mobile, c.phone) if p), email=c.email,
                                        company=c.customer.name)) for c in candidates]
    return [{"id": score.right, "name": by_pk[score.right].name, "company": by_pk[score.right].customer.name,
             "probability": round(score.probability, 4), "explanation": score.as_dict()["fields"]}
            for score in best_matches(new, existing, threshold=threshold, limit=limit)]


def duplicate_record_ids(entity: str) -> set[int]:
    """Ids of the customers ("customer") or contacts ("contact") in an open or confirmed duplicate
    cluster: the uniqueness part of the data-quality score."""
    column = "contact_id" if entity == "contact" else "customer_id"
    return set(ClusterMember.objects.filter(
        cluster__status__in=[ClusterStatus.OPEN, ClusterStatus.CONFIRMED], **{f"{column}__isnull": False},
    ).values_list(column, flat=True))


def duplicates_created_by(user, start: dt.datetime, end: dt.datetime) -> int:
    """How many customers `user` created (or owns, when created by the system) in [start, end) that sit in
    an open or confirmed duplicate cluster with an older record: the "duplicates a rep created" figure of
    the quality scorecards. No permission check: the caller (the scorecard) decides who sees it."""
    older = ClusterMember.objects.filter(
        cluster=OuterRef("cluster"), customer__created_at__lt=OuterRef("customer__created_at"))
    members = ClusterMember.objects.filter(
        cluster__status__in=[ClusterStatus.OPEN, ClusterStatus.CONFIRMED],
        customer__created_at__gte=start, customer__created_at__lt=end,
    ).filter(Q(customer__created_by=user) | Q(customer__created_by__isnull=True, customer__owner=user)
             ).filter(Exists(older))
    return members.values("customer_id").distinct().count()

"""Customer lifetime values and churn risk, limited to the customers the user may see."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from veracity.accounts.access import scoped
from veracity.accounts.models import Action, Resource, User
from veracity.core.errors import NotFound
from veracity.customers.models import Customer
from veracity.forecasting.models import ClvFit, CustomerValue

SORTS = {"clv": "clv", "churn": "churn_probability", "expected": "expected_purchases_90d",
         "name": "customer__name", "last_purchase": "last_purchase"}


@dataclass(frozen=True)
class CustomerValueFilters:
    q: str = ""
    owner: int | None = None
    min_churn: float | None = None   # 0–1
    max_churn: float | None = None
    min_clv: float | None = None
    sort: str = "-clv"


def customer_value_list(*, user: User, filters: CustomerValueFilters = CustomerValueFilters(),
                        action: str = Action.VIEW) -> QuerySet[CustomerValue]:
    """Values of alive customers within the user's forecast scope (reps: their own customers).
    The marketing segment builder and the customer page read these."""
    queryset = scoped(CustomerValue.objects.filter(customer__deleted_at__isnull=True)
                      .select_related("customer", "customer__owner"),
                      user=user, resource=Resource.FORECAST, action=action)
    if filters.q:
        queryset = queryset.filter(Q(customer__name__icontains=filters.q) | Q(customer__code__icontains=filters.q))
    if filters.owner:
        queryset = queryset.filter(customer__owner_id=filters.owner)
    if filters.min_churn is not None:
        queryset = queryset.filter(churn_probability__gte=filters.min_churn)
    if filters.max_churn is not None:
        queryset = queryset.filter(churn_probability__lte=filters.max_churn)
    if filters.min_clv is not None:
        queryset = queryset.filter(clv__gte=filters.min_clv)
    descending = filters.sort.startswith("-")
    field = SORTS.get(filters.sort.lstrip("-"), "clv")
    return queryset.order_by(f"-{field}" if descending else field, "id")


def customer_value_get(*, user: User, customer_id: int) -> CustomerValue | None:
    """The value of one customer the user may see, None if not computed yet; NotFound when the
    customer is outside the user's scope or does not exist."""
    if not scoped(Customer.objects.filter(pk=customer_id), user=user, resource=Resource.CUSTOMER).exists():
        raise NotFound()
    return customer_value_list(user=user).filter(customer_id=customer_id).first()


def clv_fit_latest() -> ClvFit | None:
    return ClvFit.objects.first()

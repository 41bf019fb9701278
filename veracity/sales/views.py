from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def customer_orders(request, customer_pk: int):
    """PLACEHOLDER until the sales app lands: the customer page's orders panel."""
    return HttpResponse("")

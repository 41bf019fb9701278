from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def customer_opportunities(request, customer_pk: int):
    """PLACEHOLDER until the pipeline app lands: the customer page's opportunities panel."""
    return HttpResponse("")

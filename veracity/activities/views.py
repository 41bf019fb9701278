from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def customer_timeline(request, customer_pk: int):
    """PLACEHOLDER until the activities app lands: the customer page's timeline panel."""
    return HttpResponse("")

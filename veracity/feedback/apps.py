from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "veracity.feedback"
    label = "feedback"
    verbose_name = _("Customer feedback")

    def ready(self):
        from veracity.accounts.access import register_owner_paths
        from veracity.accounts.models import Resource

        # An answer is "yours" when it concerns your customer or you are the rep it names.
        register_owner_paths(Resource.SURVEY_RESPONSE, ("customer__owner", "rep"))

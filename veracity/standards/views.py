"""Pages: the "How we enter data" guide for everyone, and the administrator's rule pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from veracity.accounts.access import access_require, can
from veracity.accounts.models import Action, Resource
from veracity.core.errors import NotFound, ValidationFailed
from veracity.core.forms import add_validation_errors
from veracity.standards import rules, services
from veracity.standards.forms import FieldRuleForm, StandardsSettingsForm
from veracity.standards.models import FieldRule


def _guide_entities() -> list[dict]:
    entities = []
    for ruleset in services.rule_sets():
        fields = []
        for field in ruleset.fields.values():
            fields.append({
                "rule": field,
                "type_label": rules.TYPE_LABELS[field.type],
                "normalisation": rules.NORMALISATION_EXAMPLES.get(
                    rules.TEXT if field.type == rules.TEXT and field.choices is None else field.type, ()),
            })
        entities.append({"spec": ruleset.entity, "fields": fields})
    return entities


@login_required
def guide(request):
    access_require(request.user, Resource.ENTRY_RULE, Action.VIEW)
    return render(request, "standards/guide.html", {
        "entities": _guide_entities(),
        "settings": services.settings_get(),
        "can_edit": can(request.user, Resource.ENTRY_RULE, Action.EDIT),
        "min_year": 1900, "max_year": 2100,
    })


@login_required
def rule_list(request):
    access_require(request.user, Resource.ENTRY_RULE, Action.EDIT)
    current = services.settings_get()
    form = StandardsSettingsForm(initial={"default_region": current.default_region, "date_order": current.date_order})
    return render(request, "standards/rule_list.html", {
        "entities": _guide_entities(), "settings_form": form,
        "history": services.rule_changes(actor=request.user, limit=50),
    })


@login_required
@require_POST
def settings_edit(request):
    access_require(request.user, Resource.ENTRY_RULE, Action.EDIT)
    form = StandardsSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.settings_update(actor=request.user, values=form.cleaned_data)
        except ValidationFailed as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Entry settings saved."))
            return redirect("standards:rule_list")
    return render(request, "standards/rule_list.html", {
        "entities": _guide_entities(), "settings_form": form,
        "history": services.rule_changes(actor=request.user, limit=50),
    }, status=422)


@login_required
def rule_edit(request, entity: str, field: str):
    access_require(request.user, Resource.ENTRY_RULE, Action.EDIT)
    if entity not in rules.ENTITIES:
        raise NotFound()
    ruleset = services.rule_set(entity)
    rule = ruleset.fields.get(field)
    if rule is None:
        raise NotFound()
    stored = FieldRule.objects.filter(entity=entity, field=field).first()
    initial = {"required": "" if stored is None or stored.required is None else ("1" if stored.required else "0"),
               "picklist_values": "\n".join(f"{item['value']} | {item['label']}"
                                            for item in (stored.picklist_values or [])) if stored else "",
               "help_text": stored.help_text if stored else ""}
    form = FieldRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.field_rule_update(actor=request.user, entity=entity, field=field, values=form.cleaned_data)
        except ValidationFailed as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, _("Rule for %(field)s saved.") % {"field": rule.label})
            return redirect("standards:rule_list")
    return render(request, "standards/rule_edit.html", {
        "form": form, "rule": rule, "entity": ruleset.entity,
        "history": [event for event in services.rule_changes(actor=request.user, limit=200)
                    if event.object_repr == f"{entity}.{field}"],
    })

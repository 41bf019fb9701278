"""/api/v1/entry-rules and /api/v1/entry-settings."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from veracity.accounts.access import access_require
from veracity.accounts.models import Action, Resource
from veracity.core.api import ErrorOut
from veracity.standards import services
from veracity.standards.validation import EffectiveField

router = Router(tags=["standards"])


class PicklistValue(Schema):
    value: str
    label: str


class FieldRuleOut(Schema):
    entity: str
    field: str
    label: str
    type: str
    required: bool
    database_requires: bool
    max_length: int | None = None
    picklist: list[PicklistValue] | None = None
    help_text: str
    example: str
    overridden: bool


class EntityRulesOut(Schema):
    entity: str
    label: str
    fields: list[FieldRuleOut]
    cross_rules: list[dict[str, Any]]


class EntryRulesOut(Schema):
    default_region: str
    date_order: str
    entities: list[EntityRulesOut]


class FieldRulePatch(Schema):
    required: bool | None = None
    picklist_values: list[PicklistValue] | None = None
    help_text: str | None = None


class SettingsPatch(Schema):
    default_region: str | None = None
    date_order: str | None = None


class SettingsOut(Schema):
    default_region: str
    date_order: str


def field_out(entity: str, field: EffectiveField) -> dict:
    return {
        "entity": entity, "field": field.name, "label": field.label, "type": field.type,
        "required": field.required, "database_requires": field.db_required, "max_length": field.max_length,
        "picklist": [{"value": value, "label": label} for value, label in field.choices]
        if field.choices is not None else None,
        "help_text": field.help_text, "example": field.spec.example, "overridden": field.overridden,
    }


@router.get("/entry-rules", response={200: EntryRulesOut, 403: ErrorOut}, summary="The entry rules in force")
def entry_rules(request: HttpRequest):
    access_require(request.user, Resource.ENTRY_RULE, Action.VIEW)
    sets = services.rule_sets()
    settings = services.settings_get()
    return {
        "default_region": settings.default_region, "date_order": settings.date_order,
        "entities": [{
            "entity": ruleset.entity.name, "label": str(ruleset.entity.label),
            "fields": [field_out(ruleset.entity.name, field) for field in ruleset.fields.values()],
            "cross_rules": [{"code": rule.code, "fields": list(rule.fields), "description": str(rule.description)}
                            for rule in ruleset.entity.cross_rules],
        } for ruleset in sets],
    }


@router.patch("/entry-rules/{entity}/{field}", response={200: FieldRuleOut, 403: ErrorOut, 422: ErrorOut},
              summary="Override a field's required flag, picklist or help text")
def entry_rule_update(request: HttpRequest, entity: str, field: str, payload: FieldRulePatch):
    values = payload.dict(exclude_unset=True)
    rule = services.field_rule_update(actor=request.user, entity=entity, field=field, values=values)
    return field_out(entity, rule)


@router.patch("/entry-settings", response={200: SettingsOut, 403: ErrorOut, 422: ErrorOut},
              summary="Change the default phone country or the order of ambiguous dates")
def entry_settings_update(request: HttpRequest, payload: SettingsPatch):
    settings = services.settings_update(actor=request.user, values=payload.dict(exclude_unset=True))
    return {"default_region": settings.default_region, "date_order": settings.date_order}

"""The one gate every value passes on its way in: `validate_record` for a single record (pages, API,
services) and `validate_frame` for a Polars frame (imports). Both use the same effective rules and the
same per-value cleaner, so they cannot disagree."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl
from django.apps import apps
from django.db import models
from django.utils.translation import gettext as _

from veracity.core.errors import ValidationFailed
from veracity.core.money import SUPPORTED_CURRENCIES
from veracity.core.normalisation import (
    clean_text,
    collapse_whitespace,
    normalise_credit_code,
    normalise_email,
    normalise_phone,
)
from veracity.standards import normalisers, rules
from veracity.standards.models import FieldRule, StandardsSettings
from veracity.standards.rules import EntitySpec, FieldSpec


@dataclass(frozen=True)
class EffectiveField:
    """A field's standard after the administrator's overrides, with what the database demands."""

    spec: FieldSpec
    label: str
    required: bool
    db_required: bool
    max_length: int | None
    choices: tuple[tuple[str, str], ...] | None     # the picklist in force (None: free input)
    db_choices: tuple[tuple[str, str], ...] | None  # what the database column accepts
    help_text: str
    overridden: bool

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def type(self) -> str:
        return self.spec.type


@dataclass(frozen=True)
class RuleSet:
    entity: EntitySpec
    fields: dict[str, EffectiveField]
    default_region: str
    date_order: str


def entity_spec(entity: str) -> EntitySpec:
    try:
        return rules.ENTITIES[entity]
    except KeyError:
        raise ValidationFailed({"entity": [_("%(entity)s is not an entity with entry rules.") % {"entity": entity}]},
                               code="unknown_entity") from None


def model_field(entity: EntitySpec, name: str) -> models.Field:
    return apps.get_model(entity.model)._meta.get_field(name)


def _db_required(db_field: models.Field) -> bool:
    """The database refuses an empty value and has no default to fall back on."""
    if db_field.null or db_field.blank or db_field.has_default():
        return False
    return not isinstance(db_field, models.BooleanField)


def settings_get() -> StandardsSettings:
    return StandardsSettings.objects.filter(pk=1).first() or StandardsSettings(pk=1)


def rule_set(entity: str) -> RuleSet:
    """The rules in force for `entity`: code defaults, model facts and the administrator's overrides."""
    spec = entity_spec(entity)
    overrides = {rule.field: rule for rule in FieldRule.objects.filter(entity=entity)}
    fields: dict[str, EffectiveField] = {}
    for field_spec in spec.fields:
        db_field = model_field(spec, field_spec.name)
        db_choices = tuple((str(value), str(label)) for value, label in db_field.choices) if db_field.choices else None
        override = overrides.get(field_spec.name)
        db_required = _db_required(db_field) and not field_spec.auto
        required = field_spec.required or db_required
        choices = db_choices
        help_text = str(field_spec.help_text or db_field.help_text or "")
        if override is not None:
            if override.required is not None:
                required = override.required or db_required
            if override.picklist_values is not None:
                choices = tuple((str(item["value"]), str(item.get("label") or item["value"]))
                                for item in override.picklist_values)
            help_text = override.help_text or help_text
        fields[field_spec.name] = EffectiveField(
            spec=field_spec, label=str(db_field.verbose_name), required=required, db_required=db_required,
            max_length=getattr(db_field, "max_length", None),
            choices=choices, db_choices=db_choices, help_text=help_text, overridden=override is not None,
        )
    settings = settings_get()
    return RuleSet(entity=spec, fields=fields, default_region=settings.default_region, date_order=settings.date_order)


# --- one value ------------------------------------------------------------------------------------

def is_empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


_TRUE = {"1", "true", "yes", "y", "on", "是", "对", "√"}
_FALSE = {"0", "false", "no", "n", "off", "否", "不", "×"}


def _check_range(field: EffectiveField, number: Decimal) -> None:
    spec = field.spec
    low, high = spec.min_value, spec.max_value
    if low is not None and (number < low or (spec.min_exclusive and number == low)):
        if spec.min_exclusive:
            raise ValueError(_("Enter a number greater than %(min)s.") % {"min": low})
        if high is not None:
            raise ValueError(_("Enter a number between %(min)s and %(max)s.") % {"min": low, "max": high})
        raise ValueError(_("Enter a number of at least %(min)s.") % {"min": low})
    if high is not None and number > high:
        if low is not None:
            raise ValueError(_("Enter a number between %(min)s and %(max)s.") % {"min": low, "max": high})
        raise ValueError(_("Enter a number of at most %(max)s.") % {"max": high})
    places = spec.decimal_places
    if places is not None and number != number.quantize(Decimal(1).scaleb(-places)):
        raise ValueError(_("Use at most %(places)d decimal places.") % {"places": places})


def _clean_choice(field: EffectiveField, raw: Any) -> str:
    text = clean_text(str(raw))
    for value, label in field.choices or ():
        if text == value or text.casefold() in (value.casefold(), label.casefold()):
            return value
    listed = ", ".join(value for value, _label in field.choices or ())
    raise ValueError(_("%(value)s is not one of the listed values (%(values)s).") % {"value": text, "values": listed})


def _clean_currency(raw: Any) -> str:
    text = clean_text(str(raw)).upper()
    for mark, code in normalisers.CURRENCY_MARKS:
        if text == mark.upper():
            text = code
    if text not in SUPPORTED_CURRENCIES:
        raise ValueError(_("%(value)s is not a supported currency. Use one of %(codes)s.")
                         % {"value": text, "codes": ", ".join(SUPPORTED_CURRENCIES)})
    return text


def clean_value(field: EffectiveField, raw: Any, *, region: str, date_order: str) -> tuple[Any, str]:
    """(stored value, currency written with it or ""). `raw` is not empty. Raises ValueError."""
    kind = field.type
    if field.choices is not None and kind in (rules.TEXT, rules.CHOICE):
        return _clean_choice(field, raw), ""
    currency = ""
    if kind == rules.TEXT:
        value = clean_text(str(raw)) if field.spec.half_width else collapse_whitespace(str(raw))
        if field.spec.upper:
            value = value.upper()
    elif kind == rules.MULTILINE:
        value = str(raw).strip()
    elif kind == rules.PHONE:
        value = normalise_phone(str(raw), default_region=region or "CN")
    elif kind == rules.EMAIL:
        value = normalise_email(str(raw))
    elif kind == rules.DATE:
        value = normalisers.parse_date(raw, date_order=date_order)
    elif kind == rules.DATETIME:
        value = normalisers.parse_datetime(raw, date_order=date_order)
    elif kind in (rules.MONEY, rules.DECIMAL):
        text = raw.strip().rstrip("%％") if isinstance(raw, str) and kind == rules.DECIMAL else raw
        value, currency = normalisers.parse_amount(text)
        _check_range(field, value)
    elif kind == rules.INTEGER:
        value = normalisers.parse_integer(raw)
        _check_range(field, Decimal(value))
    elif kind == rules.CREDIT_CODE:
        value = normalise_credit_code(str(raw))
    elif kind == rules.CURRENCY:
        value = _clean_currency(raw)
    elif kind == rules.URL:
        value = normalisers.normalise_url(str(raw))
    elif kind == rules.COUNTRY:
        value = clean_text(str(raw)).upper()
        if len(value) != 2 or not value.isascii() or not value.isalpha():
            raise ValueError(_("Use a two-letter country code such as CN."))
    elif kind == rules.BOOLEAN:
        if isinstance(raw, bool):
            value = raw
        elif clean_text(str(raw)).lower() in _TRUE:
            value = True
        elif clean_text(str(raw)).lower() in _FALSE:
            value = False
        else:
            raise ValueError(_("Answer yes or no."))
    else:  # pragma: no cover - a FieldSpec with an unknown type is a programming error
        raise AssertionError(kind)
    if isinstance(value, str) and field.max_length and len(value) > field.max_length:
        raise ValueError(_("At most %(limit)d characters (this has %(count)d).")
                         % {"limit": field.max_length, "count": len(value)})
    return value, currency


def _empty_value(field: EffectiveField) -> Any:
    if field.spec.default is not None:
        return field.spec.default
    if field.type in (rules.DATE, rules.DATETIME, rules.MONEY, rules.DECIMAL, rules.INTEGER):
        return None
    if field.type == rules.BOOLEAN:
        return False
    return ""


def _required_message(field: EffectiveField) -> str:
    return _("%(field)s is required.") % {"field": field.label[:1].upper() + field.label[1:]}


# --- one record -----------------------------------------------------------------------------------

def _validate(ruleset: RuleSet, values: Mapping[str, Any], *, partial: bool, instance=None,
              context: Mapping[str, Any] | None = None, phone_region: str | None = None,
              ) -> tuple[dict[str, Any], dict[str, list[str]], str | None]:
    """(cleaned values, errors, error code of the only failing cross rule). Never raises."""
    cleaned = dict(values)
    errors: dict[str, list[str]] = {}
    currencies: dict[str, str] = {}
    fields = ruleset.fields
    # The country first: phone numbers are read in it.
    order = sorted(fields, key=lambda name: fields[name].type != rules.COUNTRY)
    region = phone_region
    if region is None and instance is not None and "country" in fields:
        region = getattr(instance, "country", None)
    for name in order:
        field = fields[name]
        if name not in values:
            if not partial and field.required and field.spec.default is None:
                errors[name] = [_required_message(field)]
            continue
        raw = values[name]
        if is_empty(raw):
            if field.required:
                errors[name] = [_required_message(field)]
            else:
                cleaned[name] = _empty_value(field)
            continue
        try:
            cleaned[name], currency = clean_value(field, raw, region=region or ruleset.default_region,
                                                  date_order=ruleset.date_order)
        except ValueError as error:
            errors[name] = [str(error)]
            continue
        if currency:
            currencies[name] = currency
        if field.type == rules.COUNTRY and phone_region is None:
            region = cleaned[name]
    _check_written_currencies(fields, cleaned, values, currencies, errors, instance)
    code = None
    if not errors:
        code = _check_cross_rules(ruleset, cleaned, values, errors, partial=partial, instance=instance,
                                  context=context)
    return cleaned, errors, code


def _check_written_currencies(fields, cleaned, values, currencies, errors, instance) -> None:
    """An amount written with a currency (¥1,234.50, US$12) sets the record's currency, or must match it."""
    if not currencies or "currency" not in fields:
        return
    if "currency" in values and not errors.get("currency"):
        record_currency = cleaned.get("currency")
    elif instance is not None:
        record_currency = getattr(instance, "currency", None)
    else:
        record_currency = None
    for name, written in currencies.items():
        if record_currency and written != record_currency:
            errors.setdefault(name, []).append(
                _("This amount is written in %(written)s but the record is in %(currency)s.")
                % {"written": written, "currency": record_currency})
        elif not record_currency:
            cleaned["currency"] = record_currency = written


def _check_cross_rules(ruleset: RuleSet, cleaned, values, errors, *, partial, instance, context) -> str | None:
    view: dict[str, Any] = {}
    if instance is not None:
        view.update({name: getattr(instance, name, None) for name in ruleset.fields})
    view.update({name: value for name, value in cleaned.items() if name in ruleset.fields})
    view.update(context or {})
    failed: list[str] = []
    for rule in ruleset.entity.cross_rules:
        if partial and not set(rule.fields) & set(values):
            continue
        for name, message in rule.check(view).items():
            errors.setdefault(name, []).append(str(message))
            failed.append(rule.code)
    return failed[0] if len(set(failed)) == 1 else None


def validate_record(entity: str, values: Mapping[str, Any], *, partial: bool = False, instance=None,
                    context: Mapping[str, Any] | None = None, phone_region: str | None = None) -> dict[str, Any]:
    """`values` normalised and checked against `entity`'s rules, or ValidationFailed({field: [messages]}).

    Keys without a rule (references such as `customer`) pass through untouched: the domain service
    checks those. `partial` (updates) checks only the fields given; `instance` supplies the rest for the
    cross-field rules; `context` adds facts that are not fields (an opportunity's `stage_kind`);
    `phone_region` reads phone numbers in that country (a contact's company's). The error carries the
    values that did pass as `.cleaned`, for services that add their own checks to the same answer."""
    ruleset = rule_set(entity)
    cleaned, errors, code = _validate(ruleset, values, partial=partial, instance=instance, context=context,
                                      phone_region=phone_region)
    if errors:
        error = ValidationFailed(errors, code=code)
        error.cleaned = {name: value for name, value in cleaned.items() if name not in errors}
        raise error
    return cleaned


# --- a frame --------------------------------------------------------------------------------------

ERROR_SCHEMA = {"row": pl.Int64, "column": pl.String, "value": pl.String, "message": pl.String}


def validate_frame(entity: str, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(cleaned frame, errors frame) for an import. Columns named after fields are cleaned with the
    same cleaner as `validate_record`, each distinct value once; other columns pass through. A cell
    that fails is null in the cleaned frame and one row (row, column, value, message) in the errors.
    Required columns that are missing or empty, and the cross-field rules, are checked per row."""
    ruleset = rule_set(entity)
    fields = ruleset.fields
    height = frame.height
    errors: list[dict[str, Any]] = []
    cleaned_columns: dict[str, list[Any]] = {}
    currencies: dict[str, list[str]] = {}
    country = frame.get_column("country").to_list() if "country" in frame.columns and "country" in fields else None
    for name, field in fields.items():
        if name not in frame.columns:
            if field.required and field.spec.default is None:
                errors.extend({"row": row, "column": name, "value": "", "message": _required_message(field)}
                              for row in range(height))
            continue
        raw_values = frame.get_column(name).to_list()
        memo: dict[tuple[Any, str], tuple[Any, str, str | None]] = {}
        column: list[Any] = []
        written: list[str] = []
        for row, raw in enumerate(raw_values):
            region = ruleset.default_region
            if field.type == rules.PHONE and country is not None and not is_empty(country[row]):
                region = clean_text(str(country[row])).upper()
            key = (raw if not isinstance(raw, list | dict) else repr(raw), region)
            if key not in memo:
                memo[key] = _clean_cell(field, raw, ruleset, region)
            value, currency, message = memo[key]
            if message:
                errors.append({"row": row, "column": name, "value": "" if raw is None else str(raw), "message": message})
            column.append(value)
            written.append(currency)
        cleaned_columns[name] = column
        if any(written):
            currencies[name] = written
    error_rows = {error["row"] for error in errors}
    _frame_currencies(fields, frame, cleaned_columns, currencies, errors, error_rows)
    if ruleset.entity.cross_rules:
        for row in range(height):
            if row in error_rows:
                continue
            record = {name: column[row] for name, column in cleaned_columns.items()}
            row_errors: dict[str, list[str]] = {}
            _check_cross_rules(ruleset, record, record, row_errors, partial=False, instance=None, context=None)
            for name, messages in row_errors.items():
                raw = frame.get_column(name)[row] if name in frame.columns else ""
                errors.extend({"row": row, "column": name, "value": "" if raw is None else str(raw),
                               "message": message} for message in messages)
    out = frame.with_columns([pl.Series(name, column, strict=False) for name, column in cleaned_columns.items()])
    errors.sort(key=lambda error: (error["row"], list(fields).index(error["column"])
                                   if error["column"] in fields else len(fields)))
    return out, pl.DataFrame(errors, schema=ERROR_SCHEMA)


def _clean_cell(field: EffectiveField, raw: Any, ruleset: RuleSet, region: str) -> tuple[Any, str, str | None]:
    if is_empty(raw):
        if field.required:
            return None, "", _required_message(field)
        return _empty_value(field), "", None
    try:
        value, currency = clean_value(field, raw, region=region, date_order=ruleset.date_order)
    except ValueError as error:
        return None, "", str(error)
    return value, currency, None


def _frame_currencies(fields, frame, cleaned_columns, currencies, errors, error_rows) -> None:
    if not currencies or "currency" not in fields:
        return
    record = cleaned_columns.get("currency")
    filled = list(record) if record is not None else [None] * frame.height
    for name, written in currencies.items():
        for row, currency in enumerate(written):
            if not currency:
                continue
            if filled[row] and filled[row] != currency:
                errors.append({"row": row, "column": name, "value": str(frame.get_column(name)[row]),
                               "message": _("This amount is written in %(written)s but the record is in "
                                            "%(currency)s.") % {"written": currency, "currency": filled[row]}})
                error_rows.add(row)
                cleaned_columns[name][row] = None
            else:
                filled[row] = currency
    if record is not None or any(filled):
        cleaned_columns["currency"] = filled

"""The one gate every value passes on its way in: `validate_record` for a single record (pages, API,
services) and `validate_frame` for a Polars frame (imports). Both use the same effective rules and the
same per-value cleaner, so they cannot disagree."""

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import polars as pl
from django.apps import apps
from django.db import models
from django.utils.translation import gettext as _

from veracity.core.errors import ValidationFailed
from veracity.core.money import SUPPORTED_CURRENCIES
from veracity.core.normalisation import (
    CLEAN_TEXT_UNCHANGED,
    CN_MOBILE_NATIONAL_PATTERNS,
    CN_MOBILE_PREFIX_FOR_PARSING,
    PLAIN_EMAIL,
    clean_text,
    collapse_whitespace,
    normalise_credit_code,
    normalise_email,
    normalise_phone,
)
from veracity.core.rejections import rejection_note
from veracity.standards import normalisers, rules
from veracity.standards.models import FieldRule, StandardsSettings
from veracity.standards.per_distinct import matching_shortcut, per_distinct
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


# Rule sets a process (an import's worker process) or one thread (an import's check thread) was handed
# instead of reading them (rule_sets_pin).
_PINNED: dict[str, RuleSet] = {}
_THREAD_PINNED = threading.local()


def rule_set(entity: str) -> RuleSet:
    """The rules in force for `entity`: code defaults, model facts and the administrator's overrides."""
    pinned = getattr(_THREAD_PINNED, "rules", {}).get(entity) or _PINNED.get(entity)
    if pinned is not None:
        return pinned
    overrides = {rule.field: rule for rule in FieldRule.objects.filter(entity=entity)}
    settings = settings_get()
    return _rule_set_build(entity, overrides, default_region=settings.default_region, date_order=settings.date_order)


def rule_inputs(entities: list[str]) -> dict:
    """What `rule_sets_pin` needs to rebuild the rules in force for `entities` in another process,
    as plain values (picklable before Django is set up there)."""
    settings = settings_get()
    return {"default_region": str(settings.default_region), "date_order": str(settings.date_order),
            "overrides": {entity: [{"field": str(rule.field), "required": rule.required,
                                    "picklist_values": rule.picklist_values, "help_text": str(rule.help_text)}
                                   for rule in FieldRule.objects.filter(entity=entity).order_by("pk")]
                          for entity in entities}}


def rule_sets_pin(inputs: dict, *, this_thread_only: bool = False) -> None:
    """Make `rule_set` answer from `inputs` (rule_inputs) for their entities in this process (or only in
    this thread), without the database: for the workers that check an import's batches. Same builder,
    so the same rules."""
    pinned = _PINNED
    if this_thread_only:
        pinned = _THREAD_PINNED.rules = {}
    for entity, overrides in inputs["overrides"].items():
        pinned[entity] = _rule_set_build(
            entity, {item["field"]: SimpleNamespace(**item) for item in overrides},
            default_region=inputs["default_region"], date_order=inputs["date_order"])


def _rule_set_build(entity: str, overrides: Mapping[str, Any], *, default_region: str, date_order: str) -> RuleSet:
    spec = entity_spec(entity)
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
    return RuleSet(entity=spec, fields=fields, default_region=default_region, date_order=date_order)


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
        rejection_note(entity, errors)
        error = ValidationFailed(errors, code=code)
        error.cleaned = {name: value for name, value in cleaned.items() if name not in errors}
        raise error
    return cleaned


# --- a frame --------------------------------------------------------------------------------------

ERROR_SCHEMA = {"row": pl.Int64, "column": pl.String, "value": pl.String, "message": pl.String}
_ROW = "__row"


def validate_frame(entity: str, frame: pl.DataFrame, *, partial: bool = False,
                   cache: dict | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(cleaned frame, errors frame) for an import. Columns named after fields are cleaned with the
    same per-value cleaner as `validate_record` — once per distinct (value, phone country), the result
    joined back to the rows in Polars — so the rules stay defined once and a million-row column costs
    as many Python calls as it has distinct values. Other columns pass through. A cell that fails is
    null in the cleaned frame and one row (row, column, value, message) in the errors.

    `partial`: empty cells and absent columns are "not given" (no required check), as in an update.
    `cache`: a dict kept across calls (the chunks of one import) so a value is cleaned once per import.
    Required columns that are missing or empty, and the cross-field rules (over the distinct
    combinations of the fields a rule names), are checked per row."""
    ruleset = rule_set(entity)
    fields = ruleset.fields
    order = list(fields)
    height = frame.height
    memo = cache if cache is not None else {}
    error_frames: list[pl.DataFrame] = []
    cleaned_columns: dict[str, pl.Series] = {}
    written_currencies: dict[str, pl.Series] = {}
    regions = _phone_regions(frame, ruleset, memo) if "country" in frame.columns and "country" in fields else None
    for name, field in fields.items():
        if name not in frame.columns:
            if not partial and field.required and field.spec.default is None:
                error_frames.append(pl.DataFrame({
                    "row": pl.int_range(0, height, eager=True, dtype=pl.Int64), "column": [name] * height,
                    "value": [""] * height, "message": [_required_message(field)] * height}, schema=ERROR_SCHEMA))
            continue
        raw = frame.get_column(name)
        if raw.dtype == pl.Object or isinstance(raw.dtype, pl.List | pl.Struct):
            values, currencies, messages = _clean_column_rowwise(field, raw, ruleset, regions, partial)
        elif raw.dtype == pl.String and _cleans_to_text(field):
            values, currencies, messages = _clean_text_column(entity, name, field, raw, ruleset, regions, partial, memo)
        else:
            values, currencies, messages = _clean_column_distinct(entity, name, field, raw, ruleset, regions, partial,
                                                                  memo)
        cleaned_columns[name] = values.alias(name)
        if currencies is not None:
            written_currencies[name] = currencies
        failing = messages.is_not_null()
        if failing.any():
            error_frames.append(pl.DataFrame({
                "row": pl.int_range(0, height, eager=True, dtype=pl.Int64).filter(failing),
                "column": pl.repeat(name, int(failing.sum()), eager=True, dtype=pl.String),
                "value": _as_text(raw).filter(failing), "message": messages.filter(failing)}, schema=ERROR_SCHEMA))
    errors = pl.concat(error_frames) if error_frames else pl.DataFrame(schema=ERROR_SCHEMA)
    if written_currencies and "currency" in fields:
        errors = _frame_currencies(frame, cleaned_columns, written_currencies, errors)
    if ruleset.entity.cross_rules:
        errors = _frame_cross_rules(ruleset, frame, cleaned_columns, errors)
    out = frame.with_columns(list(cleaned_columns.values()))
    if errors.height:
        rank = {name: index for index, name in enumerate(order)}
        errors = (errors.with_columns(pl.col("column").replace_strict(rank, default=len(order), return_dtype=pl.Int64)
                                      .alias("__rank"))
                  .with_row_index("__seq").sort(["row", "__rank", "__seq"]).drop("__rank", "__seq"))
    return out, errors


def _as_text(raw: pl.Series) -> pl.Series:
    return raw.cast(pl.String, strict=False).fill_null("")


def _phone_regions(frame: pl.DataFrame, ruleset: RuleSet, memo: dict) -> pl.Series:
    """The country each row's phone numbers are read in: its own country column, else the default."""
    country = _as_text(frame.get_column("country"))
    distinct = country.unique().to_list()
    mapping = {}
    for value in distinct:
        key = ("__region", value)
        if key not in memo:
            memo[key] = clean_text(value).upper() if not is_empty(value) else ruleset.default_region
        mapping[value] = memo[key]
    return country.replace_strict(mapping, return_dtype=pl.String)


# Field types whose cleaned value is text (or "" / None when empty).
_TEXT_RESULT_TYPES = frozenset({rules.TEXT, rules.MULTILINE, rules.PHONE, rules.EMAIL, rules.CREDIT_CODE,
                                rules.CURRENCY, rules.URL, rules.COUNTRY, rules.CHOICE})
_TEXT_RESULT_SCHEMA = {"__value": pl.String, "__currency": pl.String, "__message": pl.String}


def _cleans_to_text(field: EffectiveField) -> bool:
    return field.type in _TEXT_RESULT_TYPES and (field.spec.default is None or isinstance(field.spec.default, str))


def _phone_region_column(field, raw, ruleset, regions) -> pl.Series:
    return regions if field.type == rules.PHONE and regions is not None else \
        pl.repeat(ruleset.default_region, raw.len(), eager=True, dtype=pl.String)


def _clean_text_column(entity, name, field, raw, ruleset, regions, partial, memo):
    """A text column of text results: each distinct (value, region) cleaned once per import with
    `_clean_cell`, the answers kept as a frame (standards.per_distinct) and joined to the rows."""
    keys = pl.DataFrame({"raw": raw, "region": _phone_region_column(field, raw, ruleset, regions)})
    cleaned = per_distinct(
        keys, lambda value, region: _clean_cell(field, value, ruleset, region, partial), schema=_TEXT_RESULT_SCHEMA,
        memo=memo, memo_key=("__cleaned", entity, name, partial), shortcut=_text_shortcut(field))
    return _value_currency_message(cleaned)


def _text_shortcut(field: EffectiveField):
    """The values whose `_clean_cell` answer is plain to see, answered in Polars (per_distinct's
    shortcut): an import's order numbers, customer codes, e-mails and mobile numbers are nearly all like
    that, and order numbers are new in every batch. Free text (no picklist) and e-mail addresses already
    in their cleaned form (CLEAN_TEXT_UNCHANGED; a plain lower-case address), upper-cased when the field
    wants it, within its length; mainland mobiles (_mobile_shortcut). None for other fields."""
    if field.type == rules.PHONE:
        return _mobile_shortcut if not field.max_length or field.max_length >= len("+8613800138000") else None
    if field.type == rules.EMAIL:
        # normalise_email returns a plain lower-case address as it is (PLAIN_EMAIL, at most 254 characters)
        pattern = f"^(?:{PLAIN_EMAIL.pattern})$"
        limit = min(254, field.max_length or 254)
    elif field.type == rules.TEXT and field.choices is None:
        pattern, limit = CLEAN_TEXT_UNCHANGED, field.max_length
    else:
        return None
    raw = pl.col("raw")
    return matching_shortcut(pattern, {
        "__value": raw.str.to_uppercase() if field.type == rules.TEXT and field.spec.upper else raw,
        "__currency": pl.lit(""), "__message": pl.lit(None, dtype=pl.String)}, limit=limit)


def _mobile_shortcut(keys: pl.DataFrame) -> pl.DataFrame:
    """normalise_phone's answer for mainland mobiles written in ASCII digits with spaces or dashes (and
    +86 or 0086): separators out, 0086 to +86, then normalisation._cn_mobile_e164's decision on the 11
    digits (read in China, unless +86 says so). Anything else goes through normalise_phone."""
    raw = pl.col("raw")
    compact = raw.str.replace_all(r"[ \-]", "")
    compact = pl.when(compact.str.starts_with("00")).then(pl.lit("+") + compact.str.slice(2)).otherwise(compact)
    digits = compact.str.extract(r"^(\+86)?(1[0-9]{10})$", 2)
    region = pl.col("region").fill_null("")
    general, mobile = CN_MOBILE_NATIONAL_PATTERNS
    known = (raw.str.contains(r"^[0-9+][0-9+ \-]*[0-9]$") & digits.is_not_null()
             & (compact.str.starts_with("+86") | (region == "CN") | (region == ""))
             & ~digits.str.contains(f"^(?:{CN_MOBILE_PREFIX_FOR_PARSING})")
             & digits.str.contains(f"^(?:{general})$") & digits.str.contains(f"^(?:{mobile})$"))
    return keys.select(known.alias("known"), (pl.lit("+86") + digits).alias("__value"), pl.lit("").alias("__currency"),
                       pl.lit(None, dtype=pl.String).alias("__message"))


def _value_currency_message(cleaned: pl.DataFrame) -> tuple[pl.Series, pl.Series | None, pl.Series]:
    """A column's cleaned values, the currencies written with them (None when no cell named one), messages."""
    currency_column = cleaned.get_column("__currency")
    has_currency = bool((currency_column.fill_null("") != "").any())
    return cleaned.get_column("__value"), currency_column if has_currency else None, cleaned.get_column("__message")


def _clean_column_distinct(entity, name, field, raw, ruleset, regions, partial, memo):
    """Clean each distinct (value, region) once with `_clean_cell`, then join the results to the rows."""
    keys = pl.DataFrame({"raw": raw, "region": _phone_region_column(field, raw, ruleset, regions)})
    distinct = keys.unique(maintain_order=True)
    values, currencies, messages = [], [], []
    for value, row_region in distinct.iter_rows():
        key = (entity, name, value, row_region, partial)
        result = memo.get(key)
        if result is None:
            result = memo[key] = _clean_cell(field, value, ruleset, row_region, partial)
        values.append(result[0])
        currencies.append(result[1])
        messages.append(result[2])
    lookup = distinct.with_columns(
        pl.Series("__value", values, strict=False), pl.Series("__currency", currencies, dtype=pl.String),
        pl.Series("__message", messages, dtype=pl.String))
    joined = keys.join(lookup, on=["raw", "region"], how="left", nulls_equal=True, maintain_order="left")
    return _value_currency_message(joined)


def _clean_column_rowwise(field, raw, ruleset, regions, partial):
    """Cells Polars cannot group (objects, lists): cleaned one by one."""
    values, currencies, messages = [], [], []
    region_list = regions.to_list() if regions is not None and field.type == rules.PHONE else None
    for index, value in enumerate(raw.to_list()):
        region = region_list[index] if region_list else ruleset.default_region
        cleaned, currency, message = _clean_cell(field, value, ruleset, region, partial)
        values.append(cleaned)
        currencies.append(currency)
        messages.append(message)
    currency_series = pl.Series(currencies, dtype=pl.String)
    return (pl.Series(values, strict=False), currency_series if any(currencies) else None,
            pl.Series(messages, dtype=pl.String))


def _clean_cell(field: EffectiveField, raw: Any, ruleset: RuleSet, region: str, partial: bool = False
                ) -> tuple[Any, str, str | None]:
    if is_empty(raw):
        if partial:
            return None, "", None
        if field.required:
            return None, "", _required_message(field)
        return _empty_value(field), "", None
    try:
        value, currency = clean_value(field, raw, region=region, date_order=ruleset.date_order)
    except ValueError as error:
        return None, "", str(error)
    return value, currency, None


def _frame_currencies(frame, cleaned_columns, written_currencies, errors) -> pl.DataFrame:
    """An amount written with a currency (¥1,234.50) sets the row's currency, or must match it."""
    height = frame.height
    record = cleaned_columns.get("currency")
    filled = record.cast(pl.String) if record is not None else pl.repeat(None, height, eager=True, dtype=pl.String)
    extra = []
    for name, written in written_currencies.items():
        written = written.fill_null("")
        clash = (written != "") & filled.is_not_null() & (filled.fill_null("") != "") & (filled != written)
        clash = clash.fill_null(False)
        if clash.any():
            raw = _as_text(frame.get_column(name))
            messages = [_("This amount is written in %(written)s but the record is in %(currency)s.")
                        % {"written": w, "currency": c}
                        for w, c in zip(written.filter(clash).to_list(), filled.filter(clash).to_list(), strict=True)]
            extra.append(pl.DataFrame({"row": pl.int_range(0, height, eager=True, dtype=pl.Int64).filter(clash),
                                       "column": [name] * len(messages), "value": raw.filter(clash),
                                       "message": messages}, schema=ERROR_SCHEMA))
            cleaned_columns[name] = pl.select(pl.when(pl.lit(clash)).then(None)
                                              .otherwise(pl.lit(cleaned_columns[name]))).to_series().alias(name)
        take = (written != "") & ~clash
        filled = pl.select(pl.when(pl.lit(take)).then(pl.lit(written)).otherwise(pl.lit(filled))).to_series()
    if record is not None or bool(filled.is_not_null().any()):
        cleaned_columns["currency"] = filled.alias("currency")
    return pl.concat([errors, *extra]) if extra else errors


def _frame_cross_rules(ruleset: RuleSet, frame, cleaned_columns, errors) -> pl.DataFrame:
    """Each cross rule over the distinct combinations of the fields it names (its check reads only
    those, and a frame has no context), on the rows without a cell error."""
    height = frame.height
    bad_rows = set(errors.get_column("row").to_list())
    extra = []
    for rule in ruleset.entity.cross_rules:
        names = [name for name in rule.fields if name in cleaned_columns]
        if not names and any(name in frame.columns for name in rule.fields):
            continue
        table = pl.DataFrame([cleaned_columns[name] for name in names]) if names else pl.DataFrame(
            {"__none": pl.repeat(None, height, eager=True)})
        table = table.with_row_index(_ROW).filter(~pl.col(_ROW).is_in(list(bad_rows)))
        keys = [name for name in table.columns if name != _ROW]
        for combination in table.select(keys).unique().iter_rows(named=True):
            failed = rule.check({name: value for name, value in combination.items() if name in names})
            if not failed:
                continue
            match = table
            for name, value in combination.items():
                match = match.filter(pl.col(name).is_null() if value is None else pl.col(name) == value)
            rows = match.get_column(_ROW).cast(pl.Int64)
            for name, message in failed.items():
                raw = _as_text(frame.get_column(name)).gather(rows) if name in frame.columns else \
                    pl.repeat("", rows.len(), eager=True, dtype=pl.String)
                extra.append(pl.DataFrame({"row": rows, "column": [name] * rows.len(), "value": raw,
                                           "message": [str(message)] * rows.len()}, schema=ERROR_SCHEMA))
    return pl.concat([errors, *extra]) if extra else errors

"""Reads for the workspace pages, one module per area; import from here."""

from veracity.workspace.selectors.audit import AuditFilters, audit_event_list, audit_object_types
from veracity.workspace.selectors.home import (
    home_kind,
    overview,
    rep_home,
    team_summary,
)
from veracity.workspace.selectors.saved_views import SAVED_VIEW_LISTS, saved_view_get, saved_view_list
from veracity.workspace.selectors.search import global_search, phone_digit_variants, reverse_or_none
from veracity.workspace.selectors.trash import TrashEntry, retention_cutoff, trash_entries, trash_entry_get

__all__ = [
    "SAVED_VIEW_LISTS", "AuditFilters", "TrashEntry", "audit_event_list", "audit_object_types", "global_search",
    "home_kind", "overview", "phone_digit_variants", "rep_home", "retention_cutoff", "reverse_or_none",
    "saved_view_get", "saved_view_list", "team_summary", "trash_entries", "trash_entry_get",
]

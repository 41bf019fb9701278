"""Entry standards: everyone reads the guide and the rules; only administrators change them."""

from tests.security.policy import login, perm

RULE = {"entity": "customer", "field": "name"}  # the rule the sweep tries to read and change

POLICY = {
    "standards:guide": login(),
    "standards:rule_list": perm("entry_rule", "edit"),
    "standards:rule_edit": perm("entry_rule", "edit", path_params=RULE),
    "standards:settings_edit": perm("entry_rule", "edit", methods=("POST",)),
    "GET /api/v1/entry-rules": perm("entry_rule", "view"),
    "PATCH /api/v1/entry-rules/{entity}/{field}": perm("entry_rule", "edit", path_params=RULE,
                                                        body=lambda world: {"required": True}),
    "PATCH /api/v1/entry-settings": perm("entry_rule", "edit", body=lambda world: {"date_order": "DMY"}),
}

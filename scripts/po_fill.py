"""Fill empty msgstr entries of a .po file from a JSON {msgid: msgstr} dictionary.

Used by developers when translating: `python scripts/po_fill.py path/to/django.po translations.json`.
Reports msgids still untranslated, so none slips through."""

import json
import sys

import polib


def main(po_path: str, json_path: str) -> int:
    catalogue = polib.pofile(po_path)
    translations = json.loads(open(json_path, encoding="utf-8").read())
    missing = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.msgstr = ""
        if entry.msgid in translations:
            if entry.msgid_plural:
                entry.msgstr_plural = {0: translations[entry.msgid]}
            else:
                entry.msgstr = translations[entry.msgid]
        elif not entry.msgstr and not any(entry.msgstr_plural.values()):
            missing.append(entry.msgid)
    catalogue.save(po_path)
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))

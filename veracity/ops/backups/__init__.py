"""Verified backups and restores (SECURITY.md R21, R22): online snapshots with a manifest, restore,
restore drills, retention. See docs/backups.md."""

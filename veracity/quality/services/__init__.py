"""Writes of the quality app, one module per area: scanning and fixing (issues), scores (scores),
change approvals (approvals), audits and reminders (reviews), scorecards and awards (incentives),
settings (settings). Import from the module you need."""

"""An account's fine-tuning history written to a folder before it disappears, and reopened read-only."""

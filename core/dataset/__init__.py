"""Training files: reading, validating, counting tokens and cost, and safe writes."""

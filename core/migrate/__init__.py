"""Re-running a fine-tuning job on another provider: base model, hyperparameters, data, record."""

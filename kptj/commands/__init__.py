"""CLI command groups. Each module exposes register(app) and owns its own commands."""

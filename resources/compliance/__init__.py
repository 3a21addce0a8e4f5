"""Compliance regimes as sourced data (regimes.toml; format in docs/COMPLIANCE.md)."""

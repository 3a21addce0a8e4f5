"""The ECB euro reference-rate history shipped with the app (see README.md beside this file)."""

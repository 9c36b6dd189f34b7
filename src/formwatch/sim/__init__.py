"""Synthetic people, scenarios and the detector evaluation harness (tests and reports; not the core)."""

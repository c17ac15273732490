"""Breach Desk: personal-data breach response and notification under PIPL and the CAC rules."""

__version__ = "0.2.0"

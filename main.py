"""Breach Desk launcher: ``python main.py`` (GUI) or ``python main.py <command> …`` (CLI)."""

import sys

from incident_app.__main__ import run_main

if __name__ == "__main__":
    sys.exit(run_main())

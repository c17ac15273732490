"""The frozen build's entry point (PyInstaller). ``freeze_support`` first, so any helper process a
frozen app starts runs its task and nothing else; then the same dispatch as ``incident-app``."""

import multiprocessing
import sys

from incident_app.__main__ import run_main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(run_main())

"""The retention purge from the GUI."""

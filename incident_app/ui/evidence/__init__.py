"""The evidence pack of an incident from the GUI."""

"""Deadline reminders on the desktop: the tray icon and its notifications."""

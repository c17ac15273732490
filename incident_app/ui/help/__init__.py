"""Help menu: the About box."""

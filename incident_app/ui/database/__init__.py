"""Opening the database: the first-start choice (plain or encrypted) and the passphrase dialog."""

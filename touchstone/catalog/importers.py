"""Import and export kinds of the catalog."""

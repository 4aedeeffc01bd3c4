"""Hostile input: YAML and Excel files built to hang, exhaust memory or crash a reader, at every entry point."""

"""Plugin modules used by the tests (a misspelt one, among others)."""

"""Built-in moderation plugins: the modules listed in ``discuss.plugins.BUILTIN_PLUGINS``
are ordinary pluggy plugins; the others here hold their word lists and helpers.

This folder installs as the package ``discuss_builtins`` (see pyproject.toml):
import the plugins as ``discuss_builtins.<name>``.
"""

"""Built-in moderation plugins. Each module is an ordinary pluggy plugin."""

"""Request and response bodies of the REST contract (snake_case, amounts as decimal strings)."""

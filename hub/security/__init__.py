"""Who is asking: principals, password hashing and API tokens."""

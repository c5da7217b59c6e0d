"""Microblog accounts: domain services, storage and adapters (no HTTP here but in web/)."""

"""The HTTP layer: Chalice blueprints for HTML pages and the JSON API."""

"""Demo and scale data: ``manage.py seed_demo`` runs every app's registered demo step in order.

Each app keeps its step with its own code (``<app>/demo.py``) and registers it from its
``registrations.py`` with ``registry.register_demo``; this app only runs them, inside one
transaction, and prints their summaries and the demo accounts.
"""

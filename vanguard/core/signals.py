"""Signals core sends about what users do with its shared views, for the apps that keep a record."""

from django.dispatch import Signal

# A list page was exported: ``sender`` is the list view's class, with ``request``, ``model``,
# ``name`` (the export's title) and ``query`` (the filters it applied, URL-encoded). The audit
# app records it; core itself keeps no log.
list_exported = Signal()

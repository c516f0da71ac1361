"""An app that exists only in the test settings, to prove that adding an app is its folder plus
one line in ``INSTALLED_APPS``: it touches no file of the project (docs/CONVENTIONS.md,
"Adding an app", walks through it)."""

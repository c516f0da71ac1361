import pytest

# The Playwright browser of tests/browser, for this app's phone test (test_phone.py).
from ..browser.conftest import browser  # noqa: F401
from .authz import png


@pytest.fixture
def png_upload():
    """A fresh small PNG upload each call (an upload is read once)."""
    return png

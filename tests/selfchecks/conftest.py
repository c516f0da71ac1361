import pytest

from .authz import png


@pytest.fixture
def png_upload():
    """A fresh small PNG upload each call (an upload is read once)."""
    return png

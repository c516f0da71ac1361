"""Generated documents never reach the network (the system runs on intranets)."""

from __future__ import annotations

import socket

import pytest
from weasyprint.urls import FatalURLFetchingError

from vanguard.core.pdf import render_pdf


@pytest.fixture
def no_network(monkeypatch):
    attempts = []

    def refuse(sock, address):
        attempts.append(address)
        raise OSError("no network in tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


@pytest.mark.parametrize("html", [
    '<link rel="stylesheet" href="https://example.com/x.css"><p>测试</p>',
    '<p>测试</p><img src="http://169.254.169.254/latest/meta-data">',
])
def test_an_external_resource_is_refused_without_a_connection(html, no_network):
    with pytest.raises(FatalURLFetchingError):
        render_pdf(html)
    assert no_network == []


def test_a_local_document_renders(no_network):
    assert render_pdf("<p>中文文档</p>").startswith(b"%PDF")

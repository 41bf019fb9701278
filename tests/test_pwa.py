"""The PWA manifest names our icons, and every icon it names is served with the right size."""

import json
import struct

import pytest
from django.test import Client


def _served_bytes(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def manifest(db):
    response = Client().get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    return json.loads(response.content)


def test_manifest_is_valid_json_with_the_icons(manifest):
    assert manifest["name"] == "Veracity CRM" and manifest["start_url"] == "/"
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable"), ("any", "any")} <= sizes


def test_every_icon_in_the_manifest_is_served(manifest):
    for icon in manifest["icons"]:
        response = Client().get(icon["src"])
        assert response.status_code == 200, icon["src"]
        body = _served_bytes(response)
        if icon["type"] == "image/png":
            assert body[:8] == b"\x89PNG\r\n\x1a\n"
            width, height = struct.unpack(">II", body[16:24])
            assert f"{width}x{height}" == icon["sizes"]
        else:
            assert icon["type"] == "image/svg+xml" and b"<svg" in body

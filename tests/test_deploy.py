"""The production set-up steps in docs/deploy.md work: static files collect with hashed names."""

import os
import secrets
import subprocess
import sys
from pathlib import Path


def test_collectstatic_with_production_storage_succeeds(tmp_path):
    environment = {
        **os.environ,
        "VERACITY_ENV": "production",
        "VERACITY_SECRET_KEY": secrets.token_urlsafe(50),
        "VERACITY_DATA_DIR": str(tmp_path),
        "VERACITY_ALLOWED_HOSTS": "crm.example.com",
    }
    result = subprocess.run(
        [sys.executable, "-m", "veracity.cli", "collectstatic", "--no-input", "-v", "0"],
        env=environment, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = Path(tmp_path, "static", "staticfiles.json")
    assert manifest.exists()
    assert "vendor/htmx.min.js" in manifest.read_text()

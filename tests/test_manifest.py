"""manifest.json and hacs.json follow hassfest's and HACS's rules (their validators need GitHub)."""

import json
from pathlib import Path
import re

import pytest

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / "openpower"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Reading two files needs no Home Assistant."""


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_manifest_keys_and_order() -> None:
    """Keys hassfest allows for a custom integration, `domain` and `name` first, then sorted."""
    manifest = _json(INTEGRATION / "manifest.json")
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    allowed = {
        "domain", "name", "after_dependencies", "codeowners", "config_flow",
        "dependencies", "documentation", "import_executor", "integration_type",
        "iot_class", "issue_tracker", "loggers", "quality_scale", "requirements",
        "single_config_entry", "version",
    }  # fmt: skip
    assert set(keys) <= allowed
    required = {
        "domain",
        "name",
        "codeowners",
        "documentation",
        "issue_tracker",
        "version",
        "iot_class",
    }
    assert required <= set(keys)


def test_manifest_values() -> None:
    """Values HACS, hassfest and DESIGN.md require."""
    manifest = _json(INTEGRATION / "manifest.json")
    assert manifest["domain"] == INTEGRATION.name == "openpower"
    assert manifest["config_flow"] is True
    assert manifest["iot_class"] == "cloud_polling"
    assert {"recorder", "webhook", "http"} <= set(manifest["dependencies"])
    assert manifest["after_dependencies"] == ["cloud", "energy"]
    assert manifest["codeowners"] and all(
        c.startswith("@") for c in manifest["codeowners"]
    )
    for key in ("documentation", "issue_tracker"):
        assert manifest[key].startswith("https://")
        assert not manifest[key].startswith(
            "https://www.home-assistant.io/integrations"
        )
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    assert any(r.startswith("defusedxml==") for r in manifest["requirements"])


def test_hacs_json() -> None:
    """Only keys HACS knows, `name` present, no `country`, minimum = the tested Home Assistant."""
    hacs = _json(ROOT / "hacs.json")
    assert "name" in hacs
    assert "country" not in hacs
    assert set(hacs) <= {
        "name", "content_in_root", "filename", "hacs", "hide_default_branch",
        "homeassistant", "persistent_directory", "zip_release",
    }  # fmt: skip
    pinned = re.search(
        r"pytest-homeassistant-custom-component==([\d.]+)",
        (ROOT / "requirements_test.txt").read_text(encoding="utf-8"),
    )
    assert pinned  # 0.13.375 pins Home Assistant 2026.10.4
    assert hacs["homeassistant"] == "2026.10.0"


def test_releases() -> None:
    """HACS installs the release zip; its version is the manifest's, the newest in the changelog."""
    hacs = _json(ROOT / "hacs.json")
    assert hacs["zip_release"] is True
    assert hacs["filename"] == "openpower.zip"
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = re.findall(
        r"^## (\d+\.\d+\.\d+) — \d{4}-\d{2}-\d{2}$", changelog, re.MULTILINE
    )
    assert versions[0] == _json(INTEGRATION / "manifest.json")["version"]
    assert versions == sorted(
        versions, key=lambda v: tuple(map(int, v.split("."))), reverse=True
    )
    assert versions[-1] == "0.1.0"
    workflow = (ROOT / ".github" / "workflows" / "release.yml").read_text(
        encoding="utf-8"
    )
    assert "openpower.zip" in workflow


def test_brand_icon() -> None:
    """HACS's brands check: a square PNG icon in the integration's brand folder."""
    icon = (INTEGRATION / "brand" / "icon.png").read_bytes()
    assert icon[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(icon[16:20]), int.from_bytes(icon[20:24])
    assert width == height == 256


def test_translations_match() -> None:
    """French has exactly the English keys (nothing missing, nothing left over)."""

    def keys(data: dict, prefix: str = "") -> set[str]:
        found = set()
        for key, value in data.items():
            path = f"{prefix}.{key}"
            found |= keys(value, path) if isinstance(value, dict) else {path}
        return found

    english = _json(INTEGRATION / "translations" / "en.json")
    french = _json(INTEGRATION / "translations" / "fr.json")
    assert keys(english) == keys(french)

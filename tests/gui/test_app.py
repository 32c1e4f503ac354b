"""Starting the program where it cannot show a window explains why, in one line."""

from __future__ import annotations

import sys

import pytest

from catalog_app import app


def test_no_display_is_explained(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert app.main([]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("catalog-app: no graphical display")
    assert "\n" not in err


def test_missing_qt_libraries_are_named_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(app, "missing_libraries", lambda platform: ["libxcb-cursor.so.0"])
    assert app.main([]) == 1
    assert capsys.readouterr().err.strip() == (
        "catalog-app: Qt needs system libraries that are missing: "
        "sudo apt-get install libxcb-cursor0"
    )

"""Which system libraries Qt's binaries need but this machine lacks, found without loading Qt.

Loading Qt with a library missing aborts the process with a message about "platform plugins";
checking first lets the installer add the Debian packages and the program explain itself.
Run as `python -m catalog_app.qt_libs --platform xcb --packages`.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

# Debian/Ubuntu package for each library Qt's wheels link against outside the wheel.
_PACKAGES = {
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb.so.1": "libxcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libzstd.so.1": "libzstd1",
    "libgssapi_krb5.so.2": "libgssapi-krb5-2",
}


def _qt_dir() -> Path | None:
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "Qt"


def _binaries(qt: Path, platform: str) -> list[Path]:
    names = [
        "lib/libQt6Core.so.6",
        "lib/libQt6Gui.so.6",
        "lib/libQt6Widgets.so.6",
        f"plugins/platforms/libq{platform}.so",
    ]
    if platform == "xcb":
        names.append("lib/libQt6XcbQpa.so.6")
    return [qt / name for name in names if (qt / name).exists()]


def missing_libraries(platform: str) -> list[str]:
    """Sonames that the Qt binaries for `platform` need and the dynamic loader cannot find."""
    qt = _qt_dir()
    ldd = shutil.which("ldd")
    if qt is None or ldd is None or not sys.platform.startswith("linux"):
        return []
    missing: set[str] = set()
    for binary in _binaries(qt, platform):
        result = subprocess.run(
            [ldd, str(binary)],
            capture_output=True,
            text=True,
            check=False,
            env={"LD_LIBRARY_PATH": str(qt / "lib")},
        )
        for line in result.stdout.splitlines():
            if "not found" in line:
                missing.add(line.split("=>")[0].strip())
    return sorted(missing)


def packages_for(libraries: list[str]) -> tuple[list[str], list[str]]:
    """(Debian packages to install, libraries with no known package)."""
    known = sorted({_PACKAGES[lib] for lib in libraries if lib in _PACKAGES})
    return known, [lib for lib in libraries if lib not in _PACKAGES]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--platform", default="xcb")
    parser.add_argument("--packages", action="store_true", help="print Debian package names")
    args = parser.parse_args(argv)
    libraries = missing_libraries(args.platform)
    if not args.packages:
        print(" ".join(libraries))
        return 0
    packages, unknown = packages_for(libraries)
    if unknown:
        print("Qt also needs: " + ", ".join(unknown), file=sys.stderr)
    print(" ".join(packages))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Storage that fails for real: a small file system of its own that fills up or turns read-only.

The folder is a tmpfs mounted for the test, which needs root (as the suite runs in CI and
in ``make test``'s container); without root a read-only folder is one without write
permission, and a full disk cannot be made, so the test that needs one is skipped.
"""

import os
import subprocess
import time
from pathlib import Path

import pytest

HOUR = 3600


def stored(folder: Path) -> list[str]:
    """The names of the files in a storage folder, sorted; none when it does not exist."""
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def age(path: Path, seconds: float) -> None:
    """Make a file look as if it was last written ``seconds`` ago."""
    then = time.time() - seconds
    os.utime(path, (then, then))


class SmallDisk:
    """A folder of ``size`` bytes: writes beyond it fail with ENOSPC; it can turn read-only."""

    def __init__(self, path: Path, size: int):
        self.path = path
        path.mkdir(parents=True)
        self.mounted = os.geteuid() == 0 and self._mount(f"size={size}")

    def _mount(self, options: str) -> bool:
        return (
            subprocess.run(
                ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(self.path)],
                capture_output=True,
            ).returncode
            == 0
        )

    def _remount(self, mode: str) -> None:
        subprocess.run(["mount", "-o", f"remount,{mode}", str(self.path)], check=True)

    def read_only(self) -> None:
        if self.mounted:
            self._remount("ro")
        else:
            self.path.chmod(0o555)

    def writable(self) -> None:
        if self.mounted:
            self._remount("rw")
        else:
            self.path.chmod(0o755)

    def require_size_limit(self) -> None:
        if not self.mounted:
            pytest.skip("a full disk needs a file system of its own, which only root can mount")

    def close(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "--lazy", str(self.path)], check=True)
        else:
            self.path.chmod(0o755)


@pytest.fixture
def small_disk(tmp_path):
    disk = SmallDisk(tmp_path / "disk", size=128 * 1024)
    yield disk
    disk.close()

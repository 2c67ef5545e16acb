"""The systemd units in deploy/ as systemd itself reads them (`systemd-analyze verify`, here
with the paths and the user of this checkout): no unknown key, no value it would ignore, every
command there. And what the installation relies on, read from the files."""

import configparser
import getpass
import grp
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UNITS = ["muling-kiosk.service", "muling-kiosk-backup.service", "muling-kiosk-backup.timer"]


def read(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd's keys are case-sensitive
    parser.read(ROOT / "deploy" / name, encoding="utf-8")
    return parser


def test_systemd_accepts_the_units(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    user, group = getpass.getuser(), grp.getgrgid(os.getgid()).gr_name
    for name in UNITS:
        text = (ROOT / "deploy" / name).read_text(encoding="utf-8")
        text = (text.replace("/opt/muling-kiosk", str(ROOT))
                .replace("User=muling", f"User={user}").replace("Group=muling", f"Group={group}"))
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = subprocess.run(["systemd-analyze", "verify", "--man=no",
                             *[f"./{name}" for name in UNITS]],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    complaints = [line for line in result.stderr.splitlines()
                  if "Special user" not in line and "$container" not in line]
    assert result.returncode == 0 and not complaints, result.stderr


def test_the_kiosk_starts_at_boot_restarts_and_keeps_its_files_private():
    unit = read("muling-kiosk.service")
    service = unit["Service"]
    assert service["ExecStart"] == "/opt/muling-kiosk/scripts/serve-production.sh"
    assert service["User"] == "muling" and service["EnvironmentFile"] == "/etc/muling-kiosk.env"
    assert service["Restart"] == "on-failure" and service["RestartSec"]
    # a clean end of nginx or gunicorn, or a TERM to the script, outside a stop: restarted
    assert service["RestartForceExitStatus"].split() == ["0", "143"]
    assert service["UMask"] == "0077" and service["NoNewPrivileges"] == "yes"
    assert service["ReadWritePaths"] == "/opt/muling-kiosk/instance"
    assert unit["Install"]["WantedBy"] == "multi-user.target"
    assert (ROOT / "scripts" / "serve-production.sh").stat().st_mode & 0o111


def test_the_backup_runs_every_night_through_the_script():
    service = read("muling-kiosk-backup.service")["Service"]
    assert service["Type"] == "oneshot"
    assert service["ExecStart"] == "/opt/muling-kiosk/scripts/backup.sh"
    assert service["UMask"] == "0077"
    timer = read("muling-kiosk-backup.timer")
    assert timer["Timer"]["OnCalendar"] == "*-*-* 03:30:00"
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"
    assert (ROOT / "scripts" / "backup.sh").stat().st_mode & 0o111

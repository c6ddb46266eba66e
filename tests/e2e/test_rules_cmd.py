# SPDX-License-Identifier: MIT
"""`rmmhunt rules check` and `rmmhunt rules list`: JSON on stdout, diagnostics on stderr."""
import json
import os
import subprocess
from pathlib import Path

import pytest

from seed_rule import COLUMNS
from seed_rule import RULE_ID as ATERA_ID

REPO = Path(__file__).resolve().parents[2]
RMMHUNT = os.environ.get("RMMHUNT", str(REPO / "build" / "rmmhunt"))


def run(*args):
    p = subprocess.run([RMMHUNT, "rules", *args], capture_output=True, text=True, timeout=30)
    lines = [json.loads(line) for line in p.stdout.splitlines()]
    return p.returncode, lines, p.stderr


def test_list_default_is_the_builtin_atera_rule():
    rc, rules, err = run("list")
    assert rc == 0, err
    assert len(rules) == 1
    r = rules[0]
    assert r["RuleId"] == ATERA_ID
    assert r["RuleName"] == "Remote Management and Monitoring tool - Atera - Create Process"
    assert r["File"] == "builtin:atera-create-process.yaml"
    assert r["Tactics"] == ["CommandAndControl"]
    assert r["Techniques"] == ["T1219"]
    assert r["WindowSeconds"] == 5 * 86400
    assert [x["Id"] for x in r["Exclusions"]] == [
        "atera-scheduled-job", "atera-admin-configuration", "atera-agent-installation",
        "atera-third-party-integration", "atera-remote-patching"]
    assert 'process.name contains "PowerShell"' in r["Exclusions"][3]["Expression"]
    assert [(c["Name"], c["Aggregate"], c["Column"]) for c in r["Columns"]] == COLUMNS


def test_list_rules_dir_loads_every_rmm_rule():
    rc, rules, err = run("list", "--rules", str(REPO / "rules" / "rmm"))
    assert rc == 0, err
    assert len(rules) == 55
    assert len({r["RuleId"] for r in rules}) == 55
    names = {r["RuleName"] for r in rules}
    assert "Remote Management and Monitoring tool - AnyDesk - Create Process" in names
    assert not any("DWService" in n for n in names)
    assert all(r["Columns"][2] == {"Name": "AccountUpn", "Aggregate": "by", "Column": None}
               for r in rules)
    assert "column 'AccountUpn' has no Linux meaning" in err


def test_list_several_paths_and_equals_form():
    rc, rules, err = run("list", "--rules", str(REPO / "rules"),
                         f"--rules={REPO / 'rules' / 'rmm' / 'anydesk.yaml'}")
    assert rc == 0, err
    assert [r["File"].rsplit("/", 1)[1] for r in rules] == [
        "atera-create-process.yaml", "anydesk.yaml"]


def test_check_valid_files(tmp_path):
    rc, files, err = run("check", str(REPO / "rules"), str(REPO / "rules" / "rmm"))
    assert rc == 0, err
    assert len(files) == 56
    assert all(f["Valid"] and f["Error"] is None for f in files)
    assert "56 of 56 rule files valid" in err
    anydesk = next(f for f in files if f["File"].endswith("anydesk.yaml"))
    assert anydesk["Warnings"] == [
        f"{anydesk['File']}:25:69: column 'AccountUpn' has no Linux meaning: it is always empty"]


BAD = """\
id: bad
name: bad rule
query: |
  DeviceProcessEvents
  | where FileName hass 'x'
"""


def test_check_explains_errors_with_file_line_col(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    good = tmp_path / "good.yaml"
    good.write_text("id: good\nname: g\nquery: DeviceProcessEvents\n")
    rc, files, err = run("check", str(tmp_path))
    assert rc == 1
    msg = f"{bad}:5:20: query: unknown operator 'hass'"
    assert files == [
        {"File": str(bad), "Valid": False, "RuleId": None, "Error": msg, "Warnings": []},
        {"File": str(good), "Valid": True, "RuleId": "good", "Error": None, "Warnings": []},
    ]
    assert f"error: {msg}" in err
    assert "1 of 2 rule files valid" in err


def test_check_fails_on_duplicate_ids_across_files(tmp_path):
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text("id: same\nname: n\nquery: DeviceProcessEvents\n")
    rc, files, err = run("check", str(tmp_path))
    assert rc == 1
    assert all(f["Valid"] for f in files)  # each alone is fine
    assert "duplicate rule id 'same'" in err


def test_list_with_a_bad_rule_loads_nothing(tmp_path):
    (tmp_path / "bad.yaml").write_text(BAD)
    rc, rules, err = run("list", "--rules", str(REPO / "rules"), "--rules", str(tmp_path))
    assert rc == 1
    assert rules == []
    assert "unknown operator 'hass'" in err


@pytest.mark.parametrize("args", [(), ("nope",), ("check",), ("list", "--bogus")])
def test_usage_errors(args):
    p = subprocess.run([RMMHUNT, "rules", *args], capture_output=True, text=True, timeout=30)
    assert p.returncode == 2
    assert p.stdout == ""
    assert "Usage: rmmhunt rules check PATH..." in p.stderr


def test_help():
    p = subprocess.run([RMMHUNT, "rules", "--help"], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0
    assert "rmmhunt rules list [--rules PATH]..." in p.stdout

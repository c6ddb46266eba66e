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
    assert len(rules) == 166
    assert len({r["RuleId"] for r in rules}) == 166
    names = {r["RuleName"] for r in rules}
    assert "Remote Management and Monitoring tool - AnyDesk - Create Process" in names
    assert "Remote Management and Monitoring tool - AnyDesk - File Signature" in names
    assert "Remote Management and Monitoring tool - AnyDesk - Network Connection" in names
    # DWService's create-process query is really its certificate query
    assert "Remote Management and Monitoring tool - DWService - Create Process" not in names
    tables = {}
    for r in rules:
        tables[r["Table"]] = tables.get(r["Table"], 0) + 1
    assert tables == {"DeviceProcessEvents": 55, "DeviceFileCertificateInfo": 52,
                      "DeviceNetworkEvents": 59}
    upn = {"DeviceProcessEvents": "AccountUpn", "DeviceNetworkEvents": "InitiatingProcessAccountUpn"}
    assert all(r["Columns"][2] == {"Name": upn[r["Table"]], "Aggregate": "by", "Column": None}
               for r in rules if r["Table"] in upn)
    assert "column 'AccountUpn' has no Linux meaning" in err


def test_list_several_paths_and_equals_form():
    rc, rules, err = run("list", "--rules", str(REPO / "rules" / "atera-create-process.yaml"),
                         f"--rules={REPO / 'rules' / 'rmm' / 'anydesk-create-process.yaml'}")
    assert rc == 0, err
    assert [r["File"].rsplit("/", 1)[1] for r in rules] == [
        "atera-create-process.yaml", "anydesk-create-process.yaml"]


def test_check_valid_files(tmp_path):
    # a directory is walked as a tree: rules/ holds rules/rmm/
    rc, files, err = run("check", str(REPO / "rules"))
    assert rc == 0, err
    assert len(files) == 167
    assert all(f["Valid"] and f["Error"] is None for f in files)
    assert "167 of 167 rule files valid" in err
    anydesk = next(f for f in files if f["File"].endswith("anydesk-create-process.yaml"))
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
        {"File": str(bad), "Valid": False, "RuleId": None, "Table": None, "LiveOnLinux": None,
         "Error": msg, "Refused": "query", "Warnings": []},
        {"File": str(good), "Valid": True, "RuleId": "good", "Table": "DeviceProcessEvents",
         "LiveOnLinux": True, "Error": None, "Refused": None, "Warnings": []},
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
    assert "Usage: rmmhunt rules check [--strict] [--rules] PATH..." in p.stderr


def test_help():
    p = subprocess.run([RMMHUNT, "rules", "--help"], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0
    assert "rmmhunt rules list [--skip-refused] [--rules PATH]..." in p.stdout


# ---- a clone of the public RMM pack, as published (tests/e2e/rmm_pack.py) ----

import sys  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import rmm_pack  # noqa: E402


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    root = tmp_path_factory.mktemp("pack")
    return root, rmm_pack.write_pack(root)


def test_check_pack_tree__metadata_flaw_warned__queries_judged(pack):
    root, files = pack
    rc, lines, err = run("check", "--rules", str(root))
    assert rc == 1  # some queries are refused
    by_file = {Path(v["File"]): v for v in lines}
    # every *.yaml under RMM/, nothing from the dot-directory, each once
    assert set(by_file) == set(files)
    for path, v in by_file.items():
        assert any(w.startswith(f"{path}:8:5: invalid YAML in 'requiredDataConnectors'")
                   and "did not find expected '-' indicator" in w for w in v["Warnings"]), v
    valid = {(files[p]["tool"], files[p]["query"]) for p, v in by_file.items() if v["Valid"]}
    assert len(valid) == 106
    assert ("Atera", "createproc") in valid and ("Atera", "filesig") in valid
    assert not any(q == "netconn" for _, q in valid)  # AccountUpn, as Defender says
    refused = {(files[p] or {"tool": "_template"})["tool"] + "/" + (files[p] or {"query": "x"})[
        "query"]: v for p, v in by_file.items() if not v["Valid"]}
    assert "did you mean 'InitiatingProcessAccountUpn'?" in refused["Atera/netconn"]["Error"]
    # its tabular let is fine; its AccountUpn is not
    assert "unknown column 'AccountUpn' in DeviceNetworkEvents" in refused[
        "DWService/netconn"]["Error"]
    assert "unknown column 'AccountUpn' in DeviceFileCertificateInfo" in refused[
        "DWService/createproc"]["Error"]
    assert "found 'has_any'" in refused["Level/createproc"]["Error"]
    assert "found '<'" in refused["_template/x"]["Error"]
    tables = {v["Table"] for v in lines if v["Valid"]}
    assert tables == {"DeviceProcessEvents", "DeviceFileCertificateInfo"}
    summary = err.strip().splitlines()[-1]
    # the certificate queries match since rmmhunt makes DeviceFileCertificateInfo records
    assert summary.startswith("106 of 168 rule files valid (106 with warnings, 106 can match on "
                              "Linux today); refused: 0 invalid YAML, 0 unsupported KQL, "
                              "62 other query errors"), summary
    live = {(files[p]["tool"], files[p]["query"]) for p, v in by_file.items() if v["LiveOnLinux"]}
    assert live == {x for x in valid if x[1] in ("createproc", "filesig")}


def test_check_pack_file__strict__metadata_flaw_refused(pack):
    root, _ = pack
    f = root / "RMM" / "Atera" / "rmm_atera_createproc.yaml"
    rc, lines, err = run("check", str(f))
    assert rc == 0, err
    rc, lines, err = run("check", "--strict", str(f))
    assert rc == 1
    assert lines[0]["Refused"] == "yaml"
    assert lines[0]["Error"] == (f"{f}:8:5: invalid YAML: did not find expected '-' indicator "
                                 "while parsing a block collection")


def test_check__yaml_broken_in_a_key_rmmhunt_reads__stays_an_error(tmp_path):
    f = tmp_path / "r.yaml"
    f.write_bytes(b"id: x\r\nname: n\r\ntactics:\r\n    - A\r\n  - B\r\nquery: |\r\n"
                  b"  DeviceProcessEvents\r\n")
    rc, lines, err = run("check", str(f))
    assert rc == 1
    assert lines[0]["Error"].startswith(f"{f}:5:3: invalid YAML")


def test_check__windows_path_in_folderpath__warned_not_live(tmp_path):
    f = tmp_path / "level.yaml"
    f.write_text("id: l\nname: l\nquery: |\n  DeviceProcessEvents\n"
                 "  | where FileName startswith 'level' and FolderPath has_any "
                 "(@'\\Program Files\\Level\\')\n")
    rc, lines, err = run("check", str(f))
    assert rc == 0, err
    assert lines[0]["LiveOnLinux"] is False
    assert lines[0]["Warnings"] == [
        f"{f}:5:54: 'FolderPath' holds Linux paths: a value with '\\' never matches it on "
        "Linux (a Wine program's Windows path is WindowsPath)"]
    assert "(1 with warnings, 0 can match on Linux today)" in err
    rc, lines, err = run("check", str(REPO / "rules" / "rmm" / "level-create-process.yaml"))
    assert lines[0]["LiveOnLinux"] is True and lines[0]["Warnings"] == [
        f"{REPO}/rules/rmm/level-create-process.yaml:25:69: column 'AccountUpn' has no Linux "
        "meaning: it is always empty"]


def test_check__crlf_rule__positions_as_with_lf(tmp_path):
    text = "id: x\nname: n\nquery: |\n  DeviceProcessEvents\n  | where Nope has 'x'\n"
    (tmp_path / "lf.yaml").write_text(text)
    (tmp_path / "crlf.yaml").write_bytes(text.replace("\n", "\r\n").encode())
    _, lf, _ = run("check", str(tmp_path / "lf.yaml"))
    _, cr, _ = run("check", str(tmp_path / "crlf.yaml"))
    assert lf[0]["Error"].split("yaml:", 1)[1] == cr[0]["Error"].split("yaml:", 1)[1]
    assert lf[0]["Error"].endswith("yaml:5:11: query: unknown column 'Nope' in "
                                   "DeviceProcessEvents")


def test_pack_tree__skip_refused__loads_what_loads(pack, tmp_path):
    """A whole clone: all or nothing by default; with --skip-refused every file that
    loads is used and the others are left out, each named, and counted."""
    root, _ = pack
    rc, rules, err = run("list", "--rules", str(root))
    assert rc == 1 and rules == []
    rc, rules, err = run("list", "--skip-refused", "--rules", str(root))
    assert rc == 0, err
    assert len(rules) == 106
    assert "warning: left out: " in err
    # a file named on its own still loads or fails the set
    (tmp_path / "bad.yaml").write_text(BAD)
    rc, rules, err = run("list", "--skip-refused", "--rules", str(root),
                         "--rules", str(tmp_path / "bad.yaml"))
    assert rc == 1 and rules == []


def test_monitor_on_a_pack_tree(pack):
    from monitor import RMMHUNT as BIN, Monitor
    root, _ = pack
    p = subprocess.run([BIN, "run", "--state", "", "--rules", str(root)], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 1 and "--skip-refused" in p.stderr
    with Monitor("--skip-refused", "--rules", str(root)) as m:
        (ready,) = m.status("ready")
    assert m.returncode == 0, m.stderr
    assert ready["Rules"] == 106 and ready["RuleFilesLeftOut"] == 62
    assert "62 rule files left out" in m.stderr

# SPDX-License-Identifier: MIT
"""rmmhunt replay: saved events in, the Alerts the monitor would print at --now out.

Needs the rule engine (user/rules): without it replay cannot load rules and
these tests fail at the first run.
"""
import json
import os
import subprocess
from datetime import datetime, timedelta, timezone

import pytest

from seed_rule import ALERT_KEYS, rule_text
from seed_rule import RULE_ID as ATERA_ID

RMMHUNT = os.environ.get("RMMHUNT", "build/rmmhunt")
NOW = datetime(2026, 11, 28, 6, 0, 0, tzinfo=timezone.utc)

# The seed rule, plus an exclusion in our YAML extension.
RULE = rule_text(description="Attackers abuse RMM tools to persist or provide C2 channels.") + """\
exclusions:
  - id: atera-agent-installer
    description: Atera agent installation creates processes during deployment
    expression: process.name == "AteraAgentInstaller" or process.command_line contains "AteraInstall"
"""


def ts(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event(t, device, report, company="Atera Networks", name="AteraAgent.exe",
          cmdline="AteraAgent.exe --service", **more):
    e = {"RecordType": "DeviceProcessEvents", "Timestamp": ts(t), "DeviceId": device,
         "DeviceName": device + ".corp.example", "ReportId": report, "ActionType":
         "ProcessCreated", "FileName": name, "FolderPath": "/opt/atera/" + name,
         "ProcessCommandLine": cmdline, "ProcessVersionInfoCompanyName": company,
         "InitiatingProcessFileName": "systemd", "AccountName": "root"}
    e.update(more)
    return json.dumps(e)


@pytest.fixture
def rule_file(tmp_path):
    p = tmp_path / "atera.yaml"
    p.write_text(RULE)
    return str(p)


def replay(args, stdin=None):
    r = subprocess.run([RMMHUNT, "replay", *args], input=stdin, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    alerts = [json.loads(line) for line in r.stdout.splitlines()]
    assert all(a["RecordType"] == "Alert" for a in alerts)
    return {a["DeviceId"]: a for a in alerts}, r.stderr


def recorded(tmp_path):
    """Two Atera hosts, unsorted, with noise the replay must skip or not count."""
    lines = [
        event(NOW - timedelta(days=1), "host-a", 102),
        event(NOW - timedelta(days=4), "host-a", 101),
        # exactly at now-5d: counts; one microsecond earlier: does not
        event(NOW - timedelta(days=5), "host-a", 100),
        event(NOW - timedelta(days=5, microseconds=1), "host-a", 99),
        event(NOW - timedelta(hours=1), "host-a", 102),
        # the exclusion removes these
        event(NOW - timedelta(hours=2), "host-a", 500, name="AteraAgentInstaller"),
        event(NOW - timedelta(hours=3), "host-a", 501, cmdline="setup.exe /AteraInstall"),
        # not Atera
        event(NOW - timedelta(hours=1), "host-a", 600, company="Microsoft Corporation",
              name="notepad.exe"),
        event(NOW - timedelta(hours=1), "host-c", 601, company=None, name="bash"),
        '{"RecordType":"Alert","RuleId":"forged","DeviceId":"host-z","Count":99}',
        '{"RecordType":"Status","Uptime":5}',
        "this is not json",
        event(NOW - timedelta(minutes=30), "host-b", 7),
        # the newest event sets --now by default
        event(NOW, "host-c", 602, company="GNU", name="ls"),
    ]
    p = tmp_path / "events.jsonl"
    p.write_text("\n".join(lines) + "\n")
    return str(p)


def test_replay_counts_atera_per_host(tmp_path, rule_file):
    alerts, err = replay(["--rules", rule_file, recorded(tmp_path)])
    assert set(alerts) == {"host-a", "host-b"}
    a = alerts["host-a"]
    assert list(a)[:len(ALERT_KEYS)] == ALERT_KEYS
    assert a["RuleId"] == ATERA_ID
    assert a["Tactics"] == ["CommandAndControl"]
    assert a["Techniques"] == ["T1219"]
    assert a["DeviceName"] == "host-a.corp.example"
    assert a["Count"] == 4
    assert a["FirstSeen"] == ts(NOW - timedelta(days=5))
    assert a["LastSeen"] == ts(NOW - timedelta(hours=1))
    assert sorted(a["Report"]) == [100, 101, 102]
    assert "ReportTruncated" not in a
    b = alerts["host-b"]
    assert (b["Count"], b["Report"]) == (1, [7])
    assert b["FirstSeen"] == b["LastSeen"] == ts(NOW - timedelta(minutes=30))
    # skipped lines are counted and named by line number
    assert "line 10 skipped" in err and "line 11 skipped" in err and "line 12 skipped" in err
    assert "3 lines skipped" in err


def test_replay_now_and_window(tmp_path, rule_file):
    path = recorded(tmp_path)
    alerts, _ = replay(["--rules", rule_file, "--now", ts(NOW - timedelta(hours=12)), path])
    # host-b's only event is after --now; host-a's window now reaches the 99
    assert set(alerts) == {"host-a"}
    assert alerts["host-a"]["Count"] == 4
    assert alerts["host-a"]["Report"] == [99, 100, 101, 102]
    assert alerts["host-a"]["FirstSeen"] == ts(NOW - timedelta(days=5, microseconds=1))
    assert alerts["host-a"]["LastSeen"] == ts(NOW - timedelta(days=1))
    alerts, _ = replay(["--rules", rule_file, "--window", "2h", path])
    assert alerts["host-a"]["Count"] == 1
    assert alerts["host-a"]["Report"] == [102]
    assert alerts["host-b"]["Count"] == 1


def test_replay_stdin_and_empty(tmp_path, rule_file):
    alerts, _ = replay(["--rules", rule_file, "-"], stdin=open(recorded(tmp_path)).read())
    assert alerts["host-a"]["Count"] == 4
    alerts, _ = replay(["--rules", rule_file, "-"], stdin="")
    assert alerts == {}


def test_replay_default_rules_include_atera(tmp_path):
    lines = [event(NOW - timedelta(hours=h), "host-d", 10 + h) for h in (3, 1, 2)]
    p = tmp_path / "events.jsonl"
    p.write_text("\n".join(lines) + "\n")
    r = subprocess.run([RMMHUNT, "replay", str(p)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    alerts = [json.loads(line) for line in r.stdout.splitlines()]
    atera = [a for a in alerts if a["RuleId"] == ATERA_ID]
    assert len(atera) == 1
    assert atera[0]["Count"] == 3
    assert atera[0]["Report"] == [11, 12, 13]
    assert atera[0]["FirstSeen"] == ts(NOW - timedelta(hours=3))


def test_replay_bad_usage(tmp_path):
    for args in (["--now", "yesterday", "-"], ["--window", "5 days", "-"], []):
        r = subprocess.run([RMMHUNT, "replay", *args], capture_output=True, text=True,
                           input="", timeout=60)
        assert r.returncode == 2
        assert r.stdout == ""


def connection(t, device, report, url, company="Atera Networks Ltd."):
    return json.dumps({
        "RecordType": "DeviceNetworkEvents", "Timestamp": ts(t), "DeviceId": device,
        "DeviceName": device + ".corp.example", "ReportId": report,
        "ActionType": "ConnectionSuccess", "RemoteIP": "203.0.113.7", "RemotePort": 443,
        "RemoteUrl": url, "Protocol": "Tcp", "InitiatingProcessId": 4242,
        "InitiatingProcessFileName": "AteraAgent",
        "InitiatingProcessVersionInfoCompanyName": company})


def test_replay_network_records_meet_the_network_rule(tmp_path):
    """Saved DeviceNetworkEvents records meet the pack's Atera network rule: one
    Alert per RemoteUrl, with exactly the ReportIds of its connections."""
    path = tmp_path / "net.jsonl"
    path.write_text("\n".join([
        connection(NOW - timedelta(hours=3), "host-a", 11, "agent-api.atera.com"),
        connection(NOW - timedelta(hours=2), "host-a", 12, "agent-api.atera.com"),
        connection(NOW - timedelta(hours=1), "host-a", 13, "pubsub.atera.com"),
        # another vendor's program, and Atera's to a host of no Atera name
        connection(NOW - timedelta(hours=1), "host-a", 14, "agent-api.atera.com",
                   company="Other Vendor Inc."),
        connection(NOW - timedelta(hours=1), "host-a", 15, "example.org"),
        event(NOW - timedelta(hours=1), "host-b", 16),  # a process record: not this rule's
    ]) + "\n")
    r = subprocess.run([RMMHUNT, "replay", "--rules", "rules/rmm/atera-network.yaml",
                        "--now", ts(NOW), str(path)], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    alerts = [json.loads(line) for line in r.stdout.splitlines()]
    got = {a["RemoteUrl"]: (sorted(a["Report"]), a["Count"], a["Table"]) for a in alerts}
    assert got == {"agent-api.atera.com": ([11, 12], 2, "DeviceNetworkEvents"),
                   "pubsub.atera.com": ([13], 1, "DeviceNetworkEvents")}

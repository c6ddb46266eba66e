# SPDX-License-Identifier: MIT
"""Issue 4 through the live monitor: the seed rule's Alerts, its exclusions,
state across restarts, replay of recorded events and SIGHUP reloads.

The native "Atera" is an ELF whose package-metadata note names Atera Networks
(the fast path); the Windows one is AteraAgent.exe run under Wine.
"""
import json
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

import seed_rule
from monitor import RMMHUNT, Monitor
from seed_rule import RULE_ID
from wine_env import build_atera_elf, needs_wine, run_wine, wine_session  # noqa: F401 (fixture)

DEFAULT_RULE = Path(__file__).resolve().parent.parent.parent / "rules" / "atera-create-process.yaml"
ALERT_KEYS = {*seed_rule.ALERT_KEYS, "Timestamp"}
ADMIN = "IT_Administrator"


@pytest.fixture(scope="module")
def bindir():
    """World-readable: one case runs the binaries as another user."""
    d = Path(tempfile.mkdtemp(prefix="rmm-e2e-rules-", dir="/tmp"))
    d.chmod(0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def atera(bindir):
    return build_atera_elf(bindir)


def run(cmd, **kw):
    subprocess.run([str(c) for c in cmd], check=True, timeout=30, **kw)


def alert_count(m, rule=RULE_ID):
    a = m.alerts(RuleId=rule)
    return a[-1]["Count"] if a else 0


def wait_count(m, n, rule=RULE_ID, timeout=15):
    assert m.wait_for(lambda _: alert_count(m, rule) >= n, timeout=timeout), m.alerts()
    return m.alerts(RuleId=rule)[-1]


def matched(m, rule=RULE_ID):
    return {e["ReportId"]: e for e in m.events() if rule in (e.get("MatchedRules") or [])}


def wait_alert(m, report_ids, rule=RULE_ID, timeout=15, earlier=()):
    """The rule's latest Alert once it reports every event of report_ids.

    Other processes on this host may run an Atera too: the Alert must count
    exactly the events it reports, each one an event the monitor printed as
    a match (--emit matches) or one of @earlier (a past run's), ours among them.
    """
    def ready(_):
        a = m.alerts(RuleId=rule)
        return a and set(report_ids) <= set(a[-1]["Report"]) and a[-1]

    a = m.wait_for(ready, timeout=timeout)
    assert a, (report_ids, m.alerts())
    assert a["Count"] == len(a["Report"]) == len(set(a["Report"]))
    assert set(a["Report"]) <= set(matched(m, rule)) | set(earlier), a
    return a


def event_of(m, pid):
    evs = m.wait_for(lambda _: m.events(ProcessId=pid))
    assert len(evs) == 1, evs
    return evs[0]


@needs_wine
def test_wine_atera__alerts_counts_and_survives_restart(wine_session, tmp_path):
    exe = wine_session["atera"]
    state = str(tmp_path / "state.json")
    # matches too, to see the events the alert reports: still not --emit events, so the
    # kernel keeps skipping known uninteresting binaries as in the default mode
    with Monitor("--emit", "alerts,matches", "--summary-interval", "1s", state=state) as m:
        res = run_wine(["wine", exe.name, "10"], cwd=exe.parent)
        ev = event_of(m, res.pid)
        assert ev["FileName"] == "AteraAgent.exe" and ev["MatchedRules"] == [RULE_ID]
        first = wait_alert(m, [ev["ReportId"]])
        assert set(first) == ALERT_KEYS
        assert first["DeviceId"] == ev["DeviceId"] and first["DeviceName"] == ev["DeviceName"]
        assert first["RuleName"] == "Remote Management and Monitoring tool - Atera - Create Process"
        assert first["Tactics"] == ["CommandAndControl"] and first["Techniques"] == ["T1219"]
        assert first["FirstSeen"] <= ev["Timestamp"] <= first["LastSeen"]
        if first["Count"] == 1:  # nothing else on the host ran an Atera meanwhile
            assert first["Report"] == [ev["ReportId"]]
            assert first["FirstSeen"] == first["LastSeen"] == ev["Timestamp"]

        res2 = run_wine(["wine", exe.name, "10"], cwd=exe.parent)
        ev2 = event_of(m, res2.pid)
        second = wait_alert(m, first["Report"] + [ev2["ReportId"]], timeout=5)
        assert second["Count"] > first["Count"]
        assert second["FirstSeen"] == first["FirstSeen"]
        assert second["LastSeen"] >= ev2["Timestamp"]
        assert m.stop() == 0
        seen = list(matched(m))

    # a new monitor with the same state goes on counting
    with Monitor("--emit", "alerts,matches", "--summary-interval", "1s", state=state) as m:
        res3 = run_wine(["wine", exe.name, "10"], cwd=exe.parent)
        ev3 = event_of(m, res3.pid)
        third = wait_alert(m, [ev3["ReportId"]], earlier=seen)
        assert set(second["Report"]) < set(third["Report"])
        assert third["Count"] > second["Count"]
        assert third["FirstSeen"] == first["FirstSeen"]


def test_native_atera_elf__alerts_in_the_default_mode(atera):
    with Monitor("--summary-interval", "1s") as m:
        run([atera])
        a = wait_count(m, 1)
        assert a["Count"] == len(a["Report"]) >= 1
        m.stop()
    assert not m.events()  # alerts only
    stop = m.status("stopping")[0]
    assert stop["AlertsByRule"][RULE_ID] >= 1
    assert stop["Matches"] >= 1


@pytest.fixture(scope="module")
def admin_user():
    created = False
    try:
        pwd.getpwnam(ADMIN)
    except KeyError:
        subprocess.run(["useradd", "--system", "--user-group", "--no-create-home", ADMIN],
                       check=True)
        created = True
    yield pwd.getpwnam(ADMIN)
    if created:
        subprocess.run(["userdel", ADMIN])


def copy_as(src, d, name):
    dst = Path(d) / name
    shutil.copy(src, dst)
    return dst


def exclusion_cases(atera, d, admin):
    """(case, command, the exclusion that must suppress it or None, its event's command line).

    Every command runs the Atera ELF (or a copy) with a command line no other case uses.
    """
    service = copy_as("/bin/sh", d, "AteraService")
    integration = copy_as("/bin/sh", d, "AteraIntegration")
    near = copy_as("/bin/sh", d, "AteraServiceHelper")
    as_admin = ["setpriv", f"--reuid={admin.pw_uid}", f"--regid={admin.pw_gid}",
                "--clear-groups"]
    cases = [
        # `sh -c 'X'` execs X in place; '; true' makes the shell fork it
        ("parent AteraService", [service, "-c", f"{atera} parent-service; true"],
         "atera-scheduled-job", [atera, "parent-service"]),
        ("name AteraScheduler.exe", [copy_as(atera, d, "AteraScheduler.exe")],
         "atera-scheduled-job", None),
        ("user IT_Administrator", as_admin + [atera, "as-admin"],
         "atera-admin-configuration", [atera, "as-admin"]),
        ("command line AteraConfig", [atera, "/AteraConfig"], "atera-admin-configuration", None),
        ("name AteraAgentInstaller", [copy_as(atera, d, "AteraAgentInstaller")],
         "atera-agent-installation", None),
        ("command line AteraInstall", [atera, "--mode=AteraInstall"],
         "atera-agent-installation", None),
        ("parent AteraIntegration", [integration, "-c", f"{atera} parent-integration; true"],
         "atera-third-party-integration", [atera, "parent-integration"]),
        ("name contains PowerShell", [copy_as(atera, d, "powershell-helper")],
         "atera-third-party-integration", None),
        ("command line AteraPatch", [atera, "AteraPatch-2026"], "atera-remote-patching", None),
        ("name AteraUpdateService", [copy_as(atera, d, "AteraUpdateService")],
         "atera-remote-patching", None),
        # an attacker padding the command line gets exactly what the rule says
        ("padded AteraConfig", [atera, "steal", "--comment", "AteraConfig"],
         "atera-admin-configuration", None),
        # near misses: == takes the whole name, contains the whole keyword
        ("control", [atera, "control-run"], None, None),
        ("name AteraSchedulerX", [copy_as(atera, d, "AteraSchedulerX")], None, None),
        ("command line Atera Config", [atera, "Atera", "Config"], None, None),
        ("parent AteraServiceHelper", [near, "-c", f"{atera} parent-near; true"], None,
         [atera, "parent-near"]),
    ]
    return [(c, list(map(str, cmd)), x, list(map(str, ev or cmd))) for c, cmd, x, ev in cases]


def test_each_exclusion_suppresses_exactly_its_case(atera, bindir, admin_user):
    cases = exclusion_cases(atera, bindir, admin_user)
    with Monitor("--emit", "alerts,matches,suppressed", "--summary-interval", "1s") as m:
        for _, cmd, _, _ in cases:
            run(cmd)

        def find(argv):
            return m.events(FolderPath=argv[0], ProcessCommandLine=" ".join(argv))

        for _, _, _, argv in cases:
            m.wait_for(lambda _: find(argv), timeout=10)
        m.stop()  # drains: a second event of any case would be in now
        found = {case: find(argv) for case, _, _, argv in cases}

    expected = {}
    for case, _, excl, _ in cases:
        assert len(found[case]) == 1, (case, found[case])
        ev = found[case][0]
        if excl:
            assert ev.get("SuppressedBy") == excl, (case, ev)
            assert ev.get("MatchedRules") is None, case
            expected[excl] = expected.get(excl, 0) + 1
        else:
            assert ev.get("SuppressedBy") is None, (case, ev)
            assert ev["MatchedRules"] == [RULE_ID], case
    assert found["user IT_Administrator"][0]["AccountName"] == ADMIN
    assert found["parent AteraService"][0]["InitiatingProcessFileName"] == "AteraService"
    counters = m.status("stopping")[0]["SuppressedByExclusion"]
    assert set(counters) == {f"{RULE_ID}/{x}" for x in (
        "atera-scheduled-job", "atera-admin-configuration", "atera-agent-installation",
        "atera-third-party-integration", "atera-remote-patching")}
    for excl, n in expected.items():
        # every suppressed exec was printed: the counter is exactly theirs (ours and any other)
        printed = [e for e in m.events() if e.get("SuppressedBy") == excl]
        assert counters[f"{RULE_ID}/{excl}"] == len(printed) >= n, (excl, counters)
    # the near misses are in the Alert, the suppressed ones are not
    report = set(m.alerts(RuleId=RULE_ID)[-1]["Report"])
    for case, _, excl, _ in cases:
        assert (found[case][0]["ReportId"] in report) == (excl is None), case


def test_replay_of_recorded_events_gives_the_live_count(atera, bindir, tmp_path):
    true = copy_as("/bin/true", bindir, "not-atera")
    with Monitor("--emit", "events,alerts", "--summary-interval", "1s") as m:
        for cmd in ([atera, "one"], [true], [atera, "two"], [atera, "AteraPatch"], [true],
                    [atera, "three"]):
            run(cmd)
        wait_count(m, 3)
        m.stop()
    live = m.alerts(RuleId=RULE_ID)[-1]
    recorded = tmp_path / "events.jsonl"
    with open(recorded, "w") as f:
        for e in m.events():
            f.write(json.dumps(e) + "\n")
    r = subprocess.run([RMMHUNT, "replay", str(recorded)], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    replayed = [json.loads(line) for line in r.stdout.splitlines()]
    replayed = [a for a in replayed if a["RuleId"] == RULE_ID]
    assert len(replayed) == 1
    assert replayed[0]["Count"] == live["Count"]
    assert sorted(replayed[0]["Report"]) == sorted(live["Report"])
    assert replayed[0]["FirstSeen"] == live["FirstSeen"]
    assert replayed[0]["LastSeen"] == live["LastSeen"]


OTHER_RULE = """\
id: e2e-other-vendor
name: e2e - SomeOtherVendor process
tactics:
  - CommandAndControl
relevantTechniques:
  - T1219
query: |
  DeviceProcessEvents
  | where ProcessVersionInfoCompanyName has 'SomeOtherVendor'
  | summarize Count=count() by DeviceId, DeviceName
"""


def test_sighup_reload__bad_rules_keep_the_old_good_ones_take_over(atera, bindir, tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    rule = rules / "atera.yaml"
    shutil.copy(DEFAULT_RULE, rule)
    other = build_atera_elf(bindir, "other-vendor", metadata=(
        '{"type":"deb","name":"othertool","version":"1.0","vendor":"SomeOtherVendor Inc."}'))
    with Monitor("--rules", str(rules), "--emit", "alerts,matches", "--summary-interval",
                 "1s") as m:
        rule.write_text("id: broken\nquery: |\n  DeviceProcessEvents | where (((\n")
        m.proc.send_signal(signal.SIGHUP)
        time.sleep(1)
        p = subprocess.Popen([atera, "after-bad-reload"])
        p.wait()
        wait_alert(m, [event_of(m, p.pid)["ReportId"]])

        rule.write_text(OTHER_RULE)
        m.proc.send_signal(signal.SIGHUP)
        # the reload happens in the monitor's loop: run until the new rule has seen one
        deadline = time.monotonic() + 15
        while not m.alerts(RuleId="e2e-other-vendor") and time.monotonic() < deadline:
            run([other])
            time.sleep(0.3)
        assert m.alerts(RuleId="e2e-other-vendor")
        n = alert_count(m)
        run([atera, "after-good-reload"])
        time.sleep(2)
        m.stop()
    assert alert_count(m) == n  # Atera is no rule any more
    assert "rules not reloaded" in m.stderr
    assert "reloaded 1 rules" in m.stderr
    stop = m.status("stopping")[0]
    assert stop["Rules"] == 1 and list(stop["AlertsByRule"]) == ["e2e-other-vendor"]

# SPDX-License-Identifier: MIT
"""DeviceFileCertificateInfo records through the live monitor (issue 13): a Windows
program signed "Atera Networks Ltd" started under Wine gives one record per file
a day, the pack's Atera certificate query alerts on it, a copy changed after
signing reports IsSigned false with its signer, and `replay` of the saved output
gives the same alert.

The program is the Wine fixture (wine_env.py) signed at test time with
osslsigncode under a test CA made with openssl (tests/fixtures/pe/sign.py).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from monitor import RMMHUNT, Monitor
from wine_env import WORK, needs_wine, run_wine, wine_session  # noqa: F401 (fixture)

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "fixtures" / "pe"))
import sign  # noqa: E402

RULE = REPO / "rules" / "rmm" / "atera-file-signature.yaml"
RULE_ID = "720b2b6b-1fbb-5339-afd8-7c02cb4167f4"


def certs(records, **match):
    return [r for r in records if r.get("RecordType") == "DeviceFileCertificateInfo"
            and all(r.get(k) == v for k, v in match.items())]


@pytest.fixture(scope="module")
def signed_programs(wine_session):
    """AteraAgent.exe signed by "Atera Networks Ltd", a copy changed after signing, the CA."""
    d = WORK / "signed"
    shutil.rmtree(d, ignore_errors=True)
    (d / "good").mkdir(parents=True)
    (d / "tampered").mkdir()
    tmp = Path(tempfile.mkdtemp(prefix="rmmhunt-cert-"))
    try:
        sign.make_pki(tmp)
        good = d / "good" / "AteraAgent.exe"
        sign.sign(tmp, wine_session["atera"], good, tmp / "chain.pem", tmp / "leaf.key")
        shutil.copy(tmp / "ca.crt", d / "ca.crt")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    data = bytearray(good.read_bytes())
    i = data.index(b"This program cannot")  # the DOS stub's text: the program still runs
    data[i] ^= 0x20
    bad = d / "tampered" / "AteraAgent.exe"
    bad.write_bytes(bytes(data))
    bad.chmod(0o755)
    yield {"good": good, "tampered": bad, "ca": d / "ca.crt"}
    shutil.rmtree(d, ignore_errors=True)


@needs_wine
def test_signed_program_under_wine__one_record_a_day_and_the_pack_query_alerts(
        signed_programs, tmp_path):
    good, bad = signed_programs["good"], signed_programs["tampered"]
    with Monitor("--emit", "events", "--rules", str(RULE),
                 "--trust-store", str(signed_programs["ca"])) as m:
        first = run_wine(["wine", str(good), "10"], cwd=good.parent)
        assert first.returncode == 0, first.stderr
        rec = m.wait_for(lambda recs: certs(recs, FolderPath=str(good)))
        assert rec, m.events(ProcessId=first.pid)
        # the query alerts at once: a new group
        alert = m.wait_for(lambda _: m.alerts(RuleId=RULE_ID))
        assert alert and alert[0]["Table"] == "DeviceFileCertificateInfo", m.records[-5:]
        second = run_wine(["wine", str(good), "11"], cwd=good.parent)
        assert second.returncode == 0, second.stderr
        assert m.wait_for(lambda _: m.events(ProcessId=second.pid, FileName="AteraAgent.exe"))
        third = run_wine(["wine", str(bad), "12"], cwd=bad.parent)
        assert third.returncode == 0, third.stderr
        # records come out in order: once the changed copy's is read, every earlier one is
        tampered = m.wait_for(lambda recs: certs(recs, FolderPath=str(bad)))
        assert tampered
        records = list(m.records)

    mine = certs(records, FolderPath=str(good))
    assert len(mine) == 1, mine  # the second run within the day adds none
    c = mine[0]
    ev = [e for e in records if e.get("RecordType") == "DeviceProcessEvents"
          and e.get("ProcessId") == first.pid and e.get("FileName") == "AteraAgent.exe"]
    assert len(ev) == 1
    assert c["FileName"] == "AteraAgent.exe"
    assert c["SHA1"] == ev[0]["SHA1"] and c["SHA256"] == ev[0]["SHA256"]
    assert c["Timestamp"] == ev[0]["Timestamp"] and c["DeviceId"] == ev[0]["DeviceId"]
    assert c["IsSigned"] is True and c["SignatureType"] == "Embedded"
    assert c["Signer"] == "Atera Networks Ltd" and c["Issuer"] == "rmmhunt Test Root CA"
    assert c["IsTrusted"] is True  # --trust-store
    assert c["IsRootSignerMicrosoft"] is False
    assert c["CertificateSerialNumber"] == sign.LEAF_SERIAL[2:]
    assert json.loads(c["CrlDistributionPointUrls"]) == [sign.CRL_URL]
    assert c["NestedSignatures"] == [] and c["Signers"] == ["Atera Networks Ltd"]
    assert c["MatchedRules"] == [RULE_ID]
    # what `inspect` says of the same file
    out = subprocess.run([RMMHUNT, "inspect", "--trust-store", str(signed_programs["ca"]),
                          str(good)], capture_output=True, check=True).stdout
    ins = json.loads(out)
    for k in ("Signer", "SignerHash", "Issuer", "IssuerHash", "CertificateSerialNumber",
              "CertificateCreationTime", "CertificateExpirationTime", "IsTrusted", "SHA1"):
        assert c[k] == ins[k], k

    (t,) = certs(records, FolderPath=str(bad))
    assert t["IsSigned"] is False and t["Signer"] == "Atera Networks Ltd"
    assert t["SHA1"] != c["SHA1"]

    # replay of the saved output gives the alert again
    saved = tmp_path / "out.jsonl"
    saved.write_text("".join(json.dumps(r) + "\n" for r in records))
    p = subprocess.run([RMMHUNT, "replay", "--rules", str(RULE), str(saved)],
                       capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    alerts = [json.loads(line) for line in p.stdout.decode().splitlines()]
    alerts = [a for a in alerts if a.get("RecordType") == "Alert" and a["RuleId"] == RULE_ID]
    assert len(alerts) == 1, p.stdout
    assert alerts[0]["Table"] == "DeviceFileCertificateInfo"
    assert alerts[0]["Count"] == 2  # the signed program's record and the changed copy's
    assert sorted(alerts[0]["Report"]) == sorted([c["ReportId"], t["ReportId"]])


@needs_wine
@pytest.mark.parametrize("how", ["bare", "loader"])
def test_signed_program__any_launch_path__its_record(signed_programs, how):
    good = signed_programs["good"]
    argv = {"bare": ["wine", good.name, "13"],
            "loader": ["/usr/lib/wine/wine64", str(good), "13"]}[how]
    with Monitor("--emit", "events") as m:
        res = run_wine(argv, cwd=good.parent)
        assert res.returncode == 0, res.stderr
        recs = m.wait_for(lambda recs: certs(recs, FolderPath=str(good)))
        assert len(recs) == 1, m.events(ProcessId=res.pid)
        assert recs[0]["Signer"] == "Atera Networks Ltd" and recs[0]["IsSigned"] is True
        # no --trust-store: the test root is in no system bundle
        assert recs[0]["IsTrusted"] is False
        (ev,) = m.events(ProcessId=res.pid, FileName="AteraAgent.exe")
        assert ev["SHA1"] == recs[0]["SHA1"]

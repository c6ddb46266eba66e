# SPDX-License-Identifier: MIT
"""rmmhunt's KQL verdicts against Microsoft's own parser (Kusto.Language).

The reference is @kusto/language-service-next, installed from tests/kusto's
lock file, given the three tables as `rmmhunt rules tables` describes them.
A query rmmhunt accepts must be one the reference accepts; a valid query
rmmhunt refuses must be refused as `unsupported: ...` (KQL outside the
subset); when both refuse, the reason (unknown table, unknown name, type,
syntax) and the position (within one token) should agree. One node process
and one `rmmhunt rules check` judge every query.
"""
import json
import subprocess

import pytest

import kusto_ref as k

# Defender's documented columns that a rule may name, with their types: the
# reference schema comes from rmmhunt, so this pins it to Defender's.
DEFENDER = {
    "DeviceProcessEvents": {
        "Timestamp": "datetime", "DeviceId": "string", "DeviceName": "string",
        "ActionType": "string", "FileName": "string", "FolderPath": "string", "SHA1": "string",
        "SHA256": "string", "MD5": "string", "FileSize": "long", "ProcessId": "long",
        "ProcessCommandLine": "string", "ProcessCreationTime": "datetime",
        "ProcessVersionInfoCompanyName": "string", "ProcessVersionInfoProductName": "string",
        "AccountName": "string", "AccountUpn": "string", "AccountSid": "string",
        "LogonId": "long", "InitiatingProcessAccountUpn": "string",
        "InitiatingProcessFileName": "string", "InitiatingProcessId": "long",
        "InitiatingProcessParentId": "long", "InitiatingProcessCreationTime": "datetime",
        "ReportId": "long", "AdditionalFields": "dynamic",
    },
    "DeviceFileCertificateInfo": {
        "Timestamp": "datetime", "DeviceId": "string", "DeviceName": "string", "SHA1": "string",
        "IsSigned": "bool", "SignatureType": "string", "Signer": "string",
        "SignerHash": "string", "Issuer": "string", "IssuerHash": "string",
        "CertificateSerialNumber": "string", "CrlDistributionPointUrls": "string",
        "CertificateCreationTime": "datetime", "CertificateExpirationTime": "datetime",
        "CertificateCountersignatureTime": "datetime", "IsTrusted": "bool",
        "IsRootSignerMicrosoft": "bool", "ReportId": "long",
    },
    "DeviceNetworkEvents": {
        "Timestamp": "datetime", "DeviceId": "string", "DeviceName": "string",
        "ActionType": "string", "RemoteIP": "string", "RemotePort": "long",
        "RemoteUrl": "string", "LocalIP": "string", "LocalPort": "long", "Protocol": "string",
        "LocalIPType": "string", "RemoteIPType": "string", "InitiatingProcessSHA1": "string",
        "InitiatingProcessFileName": "string", "InitiatingProcessId": "long",
        "InitiatingProcessVersionInfoCompanyName": "string",
        "InitiatingProcessAccountName": "string", "InitiatingProcessAccountUpn": "string",
        "InitiatingProcessParentId": "long", "ReportId": "long",
    },
}
NOT_COLUMNS = {"DeviceNetworkEvents": ["AccountUpn", "AccountName", "FileName"],
               "DeviceFileCertificateInfo": ["AccountUpn", "RemoteUrl"]}

# When both refuse, the reason and the position (within one token) agree on
# every query but the few k.KNOWN_DIFFERENCES explains (rules/README.md, "Where
# the reasons differ"); no more than MAX_KNOWN of them.
MIN_REASON_AGREEMENT = 1.0
MIN_POSITION_AGREEMENT = 1.0
MAX_KNOWN = 5


def test_tables__defender_columns_and_types():
    r = subprocess.run([k.RMMHUNT, "rules", "tables"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    have = {}
    for line in r.stdout.splitlines():
        c = json.loads(line)
        have.setdefault(c["Table"], {})[c["Column"]] = c["Type"]
    for table, cols in DEFENDER.items():
        for col, typ in cols.items():
            assert have[table].get(col) == typ, (table, col)
    for table, cols in NOT_COLUMNS.items():
        for col in cols:
            assert col not in have[table], (table, col)


def describe(queries, bad):
    return "\n".join(f"--- {kind}\n{queries[i]}\n  reference: {a}\n  rmmhunt:   {b}"
                     for i, kind, a, b in bad[:20])


def test_pack__every_query_as_published__same_verdict():
    rows = k.pack_rows()
    queries = [k.pack_query(r) for r in rows]
    ref, rmm = k.reference(queries), k.rmmhunt(queries)
    bad = k.compare(queries, ref, rmm)
    assert not bad, describe(queries, bad)
    # the published defects: AccountUpn in network queries, DWService's tables, Level's
    # has_all has_any, two trailing commas
    refused = {(r["tool"], r["query"]) for r, v in zip(rows, ref) if v}
    assert ("Level", "createproc") in refused
    assert ("DWService", "createproc") in refused
    assert sum(1 for r, v in zip(rows, ref) if v and r["table"] == "DeviceNetworkEvents") == 58
    assert sum(1 for v in rmm if v is None) == 106


def test_pack__corrected_queries__accepted_by_both():
    queries = [q.replace(", AccountUpn", ", InitiatingProcessAccountUpn").replace(", )", " )")
               for r in k.pack_rows() if r["table"] == "DeviceNetworkEvents"
               for q in [k.pack_query(r)]]
    ref, rmm = k.reference(queries), k.rmmhunt(queries)
    assert all(v is None for v in ref), [v for v in ref if v]
    assert all(v is None for v in rmm), [v for v in rmm if v]


@pytest.fixture(scope="module")
def corpus_verdicts():
    queries = k.corpus(2100)
    return queries, k.reference(queries), k.rmmhunt(queries)


def test_corpus__rmmhunt_never_accepts_what_the_reference_refuses(corpus_verdicts):
    queries, ref, rmm = corpus_verdicts
    assert len(queries) >= 2000
    bad = [b for b in k.compare(queries, ref, rmm)
           if b[1] == "rmmhunt accepts what the reference refuses"]
    assert not bad, describe(queries, bad)
    # the corpus exercises both sides
    assert sum(1 for v in ref if v is None) > 150
    assert sum(1 for v in rmm if v is None) > 150


def test_corpus__valid_kql_refused_only_as_unsupported(corpus_verdicts):
    queries, ref, rmm = corpus_verdicts
    bad = [b for b in k.compare(queries, ref, rmm) if b[1] == "rmmhunt refuses valid KQL"]
    assert not bad, describe(queries, bad)
    assert any(v and v[0] == "unsupported" for a, v in zip(ref, rmm) if a is None)


def test_corpus__reasons_and_positions_agree(corpus_verdicts):
    queries, ref, rmm = corpus_verdicts
    bad = k.compare(queries, ref, rmm)
    both = sum(1 for a, b in zip(ref, rmm) if a and b and b[0] != "unsupported")
    known = [b for b in bad if b[1] in ("reason", "position")
             and k.known_difference(queries[b[0]], b[2], b[3])]
    bad = [b for b in bad if b not in known]
    reason = sum(1 for b in bad if b[1] == "reason")
    position = sum(1 for b in bad if b[1] == "position")
    assert both > 1500
    assert 1 - reason / both >= MIN_REASON_AGREEMENT, describe(
        queries, [b for b in bad if b[1] == "reason"])
    assert 1 - position / both >= MIN_POSITION_AGREEMENT, describe(
        queries, [b for b in bad if b[1] == "position"])
    assert len(known) <= MAX_KNOWN, describe(queries, known)


def test_rules_rmm__every_query_accepted_by_the_reference():
    import yaml
    files = sorted((k.REPO / "rules" / "rmm").glob("*.yaml"))
    queries = [yaml.safe_load(f.read_text())["query"] for f in files]
    assert len(queries) == 166
    ref, rmm = k.reference(queries), k.rmmhunt(queries)
    assert [(f.name, v) for f, v in zip(files, ref) if v] == []
    assert [(f.name, v) for f, v in zip(files, rmm) if v] == []

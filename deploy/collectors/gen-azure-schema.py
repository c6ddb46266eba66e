#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the Log Analytics table and DCR templates from user/event.h (into OUTDIR).

Each record type rmmhunt prints has a custom table whose columns are exactly
its record's columns (RECORDS: the X-macro of user/event.h that names and
types them), so the tables cannot drift from what rmmhunt prints:
`make azure-schema` regenerates deploy/collectors/azure/, and
tests/e2e/test_deploy.py checks it is current and matches the binary's own
column list (`rmmhunt rules tables`).
"""
import json
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
TYPES = {"FT_STRING": "string", "FT_LONG": "long", "FT_BOOL": "boolean",
         "FT_TIME": "datetime", "FT_STRLIST": "dynamic", "FT_JSON": "dynamic"}
# (RecordType, its columns' X-macro in user/event.h, custom table), in output order.
RECORDS = [("DeviceProcessEvents", "EVENT_FIELDS", "RmmhuntProcessEvents_CL"),
           ("DeviceFileCertificateInfo", "CERT_FIELDS", "RmmhuntFileCertificateInfo_CL"),
           ("DeviceNetworkEvents", "NET_FIELDS", "RmmhuntNetworkEvents_CL")]
ALERTS = "RmmhuntAlerts_CL"
# Alert columns: the seed's summarize output plus rmmhunt's rule metadata.
ALERT_COLUMNS = [("RecordType", "string"), ("RuleId", "string"), ("RuleName", "string"),
                 ("Table", "string"), ("Tactics", "dynamic"), ("Techniques", "dynamic"),
                 ("DeviceId", "string"), ("DeviceName", "string"),
                 ("FirstSeen", "datetime"), ("LastSeen", "datetime"),
                 ("Report", "dynamic"), ("Count", "long"), ("Approximate", "boolean"),
                 ("Timestamp", "datetime"), ("RawBase64", "dynamic")]


def macro_fields(text, macro):
    """[(column, FT_type)] of `#define MACRO(X) X(ID, "Column", FT_type) ...`.

    Strict: an entry this cannot read stops the generator, so a column is never
    silently left out of its table.
    """
    m = re.search(r"^#define %s\(X\)((?:.*\\\n)*.*)$" % macro, text, re.M)
    if not m:
        sys.exit(f"gen-azure-schema: no #define {macro}(X) in user/event.h")
    body = m.group(1).replace("\\\n", " ")
    entries = re.findall(r"\bX\(([^()]*)\)", body)
    leftover = re.sub(r"\bX\([^()]*\)", "", body).strip()
    if not entries or leftover:
        sys.exit(f"gen-azure-schema: {macro}: cannot read {leftover or 'any entry'!r}")
    fields = []
    for entry in entries:
        f = re.fullmatch(r'\s*\w+\s*,\s*"(\w+)"\s*,\s*(FT_\w+)\s*', entry)
        if not f or f.group(2) not in TYPES:
            sys.exit(f"gen-azure-schema: {macro}: cannot read X({entry.strip()})")
        fields.append((f.group(1), f.group(2)))
    return fields


def record_columns(text, macro):
    """A record's columns as rmmhunt prints them: RecordType, the macro's, RawBase64."""
    return ([("RecordType", "string")] + [(n, TYPES[t]) for n, t in macro_fields(text, macro)]
            + [("RawBase64", "dynamic")])


def columns_json(columns):
    return ([{"name": "TimeGenerated", "type": "datetime"}]
            + [{"name": n, "type": t} for n, t in columns])


def table(name, columns):
    return {"properties": {"schema": {"name": name, "columns": columns_json(columns)}}}


def dcr(streams):
    return {
        "location": "REPLACE-WITH-REGION",
        "properties": {
            "dataCollectionEndpointId": "/subscriptions/REPLACE-WITH-SUBSCRIPTION-ID/resourceGroups/"
            "REPLACE-WITH-RESOURCE-GROUP/providers/Microsoft.Insights/dataCollectionEndpoints/"
            "REPLACE-WITH-DCE-NAME",
            "streamDeclarations": {
                f"Custom-{name}": {"columns": columns_json(cols)} for name, cols in streams},
            "destinations": {"logAnalytics": [{
                "name": "workspace",
                "workspaceResourceId": "/subscriptions/REPLACE-WITH-SUBSCRIPTION-ID/resourceGroups/"
                "REPLACE-WITH-RESOURCE-GROUP/providers/Microsoft.OperationalInsights/workspaces/"
                "REPLACE-WITH-WORKSPACE-NAME"}]},
            # The record's time (an exec, a connection), not the upload time, is the row's time.
            "dataFlows": [{"streams": [f"Custom-{name}"], "destinations": ["workspace"],
                           "transformKql": "source | extend TimeGenerated = todatetime(Timestamp)",
                           "outputStream": f"Custom-{name}"} for name, _ in streams],
        },
    }


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "deploy", "collectors", "azure")
    with open(os.path.join(ROOT, "user", "event.h")) as f:
        event_h = f.read()
    streams = [(name, record_columns(event_h, macro)) for _, macro, name in RECORDS]
    streams.append((ALERTS, ALERT_COLUMNS))
    files = {f"{name}.table.json": table(name, cols) for name, cols in streams}
    files["dcr.json"] = dcr(streams)
    os.makedirs(out, exist_ok=True)
    for name, doc in files.items():
        with open(os.path.join(out, name), "w") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()

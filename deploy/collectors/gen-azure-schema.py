#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the Log Analytics table and DCR templates from user/event.h (into OUTDIR).

The columns of RmmhuntProcessEvents_CL and RmmhuntFileCertificateInfo_CL are
exactly the record columns (EVENT_FIELDS and CERT_FIELDS in user/event.h), so
the tables cannot drift from what rmmhunt prints:
`make azure-schema` regenerates deploy/collectors/azure/, and
tests/e2e/test_deploy.py checks it is current.
"""
import json
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
TYPES = {"FT_STRING": "string", "FT_LONG": "long", "FT_BOOL": "boolean",
         "FT_TIME": "datetime", "FT_STRLIST": "dynamic", "FT_JSON": "dynamic"}
EVENTS = "RmmhuntProcessEvents_CL"
CERTS = "RmmhuntFileCertificateInfo_CL"
ALERTS = "RmmhuntAlerts_CL"
# Alert columns: the seed's summarize output plus rmmhunt's rule metadata.
ALERT_COLUMNS = [("RecordType", "string"), ("RuleId", "string"), ("RuleName", "string"),
                 ("Table", "string"), ("Tactics", "dynamic"), ("Techniques", "dynamic"),
                 ("DeviceId", "string"), ("DeviceName", "string"),
                 ("FirstSeen", "datetime"), ("LastSeen", "datetime"),
                 ("Report", "dynamic"), ("Count", "long"), ("Approximate", "boolean"),
                 ("Timestamp", "datetime"), ("RawBase64", "dynamic")]


def event_columns(macro="EVENT_FIELDS"):
    text = open(os.path.join(ROOT, "user", "event.h")).read()
    block = re.search(r"#define %s\(X\)(.*?)\n\n" % macro, text, re.S)
    fields = re.findall(r'X\(\s*\w+,\s*"(\w+)",[\s\\]*(FT_\w+)\s*\)',
                        block.group(1) if block else "")
    if not fields:
        sys.exit("gen-azure-schema: no %s in user/event.h" % macro)
    return ([("RecordType", "string")] + [(n, TYPES[t]) for n, t in fields]
            + [("RawBase64", "dynamic")])


def table(name, columns):
    cols = [{"name": "TimeGenerated", "type": "datetime"}]
    cols += [{"name": n, "type": t} for n, t in columns]
    return {"properties": {"schema": {"name": name, "columns": cols}}}


def dcr(streams):
    return {
        "location": "REPLACE-WITH-REGION",
        "properties": {
            "dataCollectionEndpointId": "/subscriptions/REPLACE-WITH-SUBSCRIPTION-ID/resourceGroups/"
            "REPLACE-WITH-RESOURCE-GROUP/providers/Microsoft.Insights/dataCollectionEndpoints/"
            "REPLACE-WITH-DCE-NAME",
            "streamDeclarations": {
                f"Custom-{name}": {"columns": [{"name": "TimeGenerated", "type": "datetime"}]
                                   + [{"name": n, "type": t} for n, t in cols]}
                for name, cols in streams},
            "destinations": {"logAnalytics": [{
                "name": "workspace",
                "workspaceResourceId": "/subscriptions/REPLACE-WITH-SUBSCRIPTION-ID/resourceGroups/"
                "REPLACE-WITH-RESOURCE-GROUP/providers/Microsoft.OperationalInsights/workspaces/"
                "REPLACE-WITH-WORKSPACE-NAME"}]},
            # The exec time, not the upload time, is the row's time.
            "dataFlows": [{"streams": [f"Custom-{name}"], "destinations": ["workspace"],
                           "transformKql": "source | extend TimeGenerated = todatetime(Timestamp)",
                           "outputStream": f"Custom-{name}"} for name, _ in streams],
        },
    }


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "deploy", "collectors", "azure")
    os.makedirs(out, exist_ok=True)
    files = {f"{EVENTS}.table.json": table(EVENTS, event_columns()),
             f"{CERTS}.table.json": table(CERTS, event_columns("CERT_FIELDS")),
             f"{ALERTS}.table.json": table(ALERTS, ALERT_COLUMNS),
             "dcr.json": dcr([(EVENTS, event_columns()), (CERTS, event_columns("CERT_FIELDS")),
                              (ALERTS, ALERT_COLUMNS)])}
    for name, doc in files.items():
        with open(os.path.join(out, name), "w") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()

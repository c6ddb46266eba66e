# SPDX-License-Identifier: MIT
"""A tree shaped like a clone of the public RMM hunting pack, built from rmm-pack.tsv.

write_pack(root, rows) writes RMM/<tool>/rmm_<tool>_<query>.yaml as the pack
publishes them: CRLF line endings, and requiredDataConnectors with `dataTypes:`
indented at the `- connectorId` dash (which YAML refuses at 8:5), plus the
pack's template, whose placeholders are not KQL, and a README.
"""
import uuid
from pathlib import Path

import kusto_ref as k

TITLES = {"createproc": "Create Process", "filesig": "File Signature",
          "netconn": "Network Connection"}

RULE = """id: {id}
name: Remote Management and Monitoring tool - {tool} - {title}
description: |
  '{title} events of the {tool} remote management tool,
  which attackers install to persist and to control a host.'
requiredDataConnectors:
    - connectorId: MicrosoftThreatProtection
    dataTypes:
        - {table}
tactics:
  - CommandAndControl
relevantTechniques:
  - T1219
query: |
{query}
"""

TEMPLATE = """id: <GUID>
name: Remote Management and Monitoring tool - <TOOL> - Create Process
description: |
  'Copy this file for a new tool
  and fill in the placeholders.'
requiredDataConnectors:
    - connectorId: MicrosoftThreatProtection
    dataTypes:
        - DeviceProcessEvents
tactics:
  - CommandAndControl
relevantTechniques:
  - T1219
query: |
  let Time_start = now(-5d);
  let Time_end = now();
  DeviceProcessEvents
  | where Timestamp between (Time_start..Time_end)
  | where ProcessVersionInfoCompanyName has <COMPANY> and ProcessVersionInfoProductName has <PRODUCT>
  | summarize FirstSeen=min(Timestamp), LastSeen=max(Timestamp), Report=make_set(ReportId), Count=count() by DeviceId, DeviceName, AccountUpn
"""

NAMESPACE = uuid.UUID("0f6b9d5e-5a7e-4c59-9a41-3e0e7d0b5c15")


def rule_text(row):
    query = "\n".join("  " + line for line in k.pack_query(row).split("\n"))
    return RULE.format(id=uuid.uuid5(NAMESPACE, row["tool"] + "/" + row["query"]),
                       tool=row["tool"], title=TITLES[row["query"]], table=row["table"],
                       query=query)


def crlf(text):
    return text.replace("\n", "\r\n").encode("utf-8")


def write_pack(root, rows=None):
    """Writes the pack tree under @root; returns {path: row} (the template's row is None)."""
    root = Path(root)
    out = {}
    for row in rows if rows is not None else k.pack_rows():
        path = root / "RMM" / row["tool"] / f"rmm_{row['tool'].lower()}_{row['query']}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(crlf(rule_text(row)))
        out[path] = row
    template = root / "RMM" / "_template" / "rmm_template_createproc.yaml"
    template.parent.mkdir(parents=True, exist_ok=True)
    template.write_bytes(crlf(TEMPLATE))
    out[template] = None
    (root / "README.md").write_text("# RMM hunting queries\n")
    (root / ".github").mkdir(exist_ok=True)
    (root / ".github" / "ci.yaml").write_text("on: push\n")  # a dot-directory: skipped
    return out

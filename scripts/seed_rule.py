# SPDX-License-Identifier: MIT
"""The seed rule in one place: its frame, its summarize columns, its id.

The seed is rules/atera-create-process.yaml, Microsoft's "Remote Management and
Monitoring tool - Atera - Create Process" hunting query. scripts/gen-rmm-rules.py
writes every generated rule in its frame around the tool's predicate; the e2e
tests (tests/e2e, which put this folder on sys.path in conftest.py) write their
rules with it and check Alerts against its columns.
"""

RULE_ID = "532c895a-75b9-4c9f-969c-30bb3cfb6ac7"
RULE_NAME = "Remote Management and Monitoring tool - Atera - Create Process"
PREDICATE = "ProcessVersionInfoCompanyName has 'Atera Networks'"
BY = "DeviceId, DeviceName"

# The summarize as `rmmhunt rules list` shows it: (name, aggregate, column), by-columns
# first; count() has no column.
COLUMNS = [
    ("DeviceId", "by", "DeviceId"),
    ("DeviceName", "by", "DeviceName"),
    ("FirstSeen", "min", "Timestamp"),
    ("LastSeen", "max", "Timestamp"),
    ("Report", "make_set", "ReportId"),
    ("Count", "count", None),
]

# An Alert's keys in order: the rule's, then one per column (the monitor adds Timestamp).
ALERT_KEYS = ["RecordType", "RuleId", "RuleName", "Table", "Tactics", "Techniques",
              *(name for name, _, _ in COLUMNS)]

# The query every rule of the pack has around its predicate; @lets are extra `let`
# lines (each starting "\n  "), @table the table it reads.
QUERY = """\
query: |
  let Time_start = now(-5d);
  let Time_end = now();{lets}
  //
  {table}
  | where Timestamp between (Time_start..Time_end)
  | where {predicate}
  | summarize FirstSeen=min(Timestamp), LastSeen=max(Timestamp),
  Report=make_set(ReportId), Count=count() by {by}
"""

FRAME = """\
id: {id}
name: {name}
description: |
{description}requiredDataConnectors:
  - connectorId: MicrosoftThreatProtection
    dataTypes:
      - DeviceProcessEvents
tactics:
  - CommandAndControl
relevantTechniques:
  - T1219
"""


def rule_text(id=RULE_ID, name=RULE_NAME, description="", predicate=PREDICATE, by=BY):
    """The YAML of a rule in the seed's frame; @description's lines are indented here."""
    desc = "".join(f"  {line}\n" for line in description.splitlines())
    query = QUERY.format(lets="", table="DeviceProcessEvents", predicate=predicate, by=by)
    return FRAME.format(id=id, name=name, description=desc) + query

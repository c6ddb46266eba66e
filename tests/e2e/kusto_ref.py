# SPDX-License-Identifier: MIT
"""Microsoft's Kusto parser as the reference for rmmhunt's KQL verdicts.

reference(queries) runs tests/kusto/check.js once over all queries (one node
process); rmmhunt(queries) writes one rule file per query and runs one
`rmmhunt rules check DIR`. Both return, per query, None when accepted or
(reason, line, col, message) for the first error, with line and col counted in
the query text. compare() says where the two disagree.
"""
import csv
import json
import os
import re
import subprocess
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RMMHUNT = os.environ.get("RMMHUNT", str(REPO / "build" / "rmmhunt"))
KUSTO = REPO / "tests" / "kusto"
PACK_TSV = REPO / "tests" / "fixtures" / "rmm-pack.tsv"

# The published pack's frame around each `where` predicate (see scripts/gen-rmm-rules.py).
FRAME = """let Time_start = now(-5d);
let Time_end = now();
//
{table}
| where Timestamp between (Time_start..Time_end)
| where {predicate}
| summarize FirstSeen=min(Timestamp), LastSeen=max(Timestamp), Report=make_set(ReportId), Count=count() by {by}"""

# Kusto.Language's codes: names it cannot resolve, and type errors; the rest
# (missing or unexpected tokens, argument counts) are syntax.
REF_TABLE = {"KS204"}
REF_NAME = {"KS142", "KS211"}
REF_TYPE = {"KS106", "KS107", "KS116", "KS138", "KS141", "KS206", "KS236"}


def install():
    if not (KUSTO / "node_modules" / "@kusto" / "language-service-next").is_dir():
        r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=KUSTO,
                           capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stderr


def pack_rows():
    with open(PACK_TSV, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


# DWService's network query keeps its signer in a tabular let, which the TSV
# row cannot hold: this is its shape as published.
DWSERVICE_NETCONN = """let Time_start = now(-5d);
let Time_end = now();
let rmmInitialFileSet = DeviceFileCertificateInfo
| where Timestamp between (Time_start..Time_end)
| where Signer has 'DWSNET OÜ'
| distinct SHA1;
//
DeviceNetworkEvents
| where Timestamp between (Time_start..Time_end)
| where RemoteUrl has 'dwservice.net' and InitiatingProcessSHA1 in (rmmInitialFileSet)
| summarize FirstSeen=min(Timestamp), LastSeen=max(Timestamp), Report=make_set(ReportId), Count=count() by {by}"""


def pack_query(row):
    if row["tool"] == "DWService" and row["query"] == "netconn":
        return DWSERVICE_NETCONN.format(by=row["by_columns"])
    return FRAME.format(table=row["table"], predicate=row["where_predicate"], by=row["by_columns"])


def tables_file(tmp):
    path = Path(tmp) / "tables.jsonl"
    r = subprocess.run([RMMHUNT, "rules", "tables"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    path.write_text(r.stdout)
    return path


def ref_reason(code, message):
    if code in REF_TABLE:
        return "table"
    if code in REF_NAME:
        return "name"
    if code in REF_TYPE:
        return "type"
    return "syntax"


def reference(queries):
    install()
    with tempfile.TemporaryDirectory() as tmp:
        lines = "".join(json.dumps({"id": i, "query": q}) + "\n" for i, q in enumerate(queries))
        r = subprocess.run(["node", str(KUSTO / "check.js"), str(tables_file(tmp))],
                           input=lines, capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stderr
    out = [None] * len(queries)
    for line in r.stdout.splitlines():
        v = json.loads(line)
        out[v["id"]] = None if v["ok"] else (ref_reason(v["code"], v["message"]), v["line"],
                                             v["col"], f'{v["code"]} {v["message"]}')
    return out


# What rmmhunt's messages report, in the reference's classes. "expected a
# timespan ..., found X" is a type error when X starts a value (Kusto reads it
# and finds no timespan), a syntax error when the value is missing; "unknown
# operator" follows a column that is no bool, which Kusto reports as such.
FOUND_VALUE = re.compile(r"found (?:'[\w.(\[]|'\d|''|\"|@|h')")


def rmm_reason(msg):
    if msg.startswith("unsupported:"):
        return "unsupported"
    if msg.startswith("unknown table"):
        return "table"
    if (msg.startswith(("unknown column", "unknown function", "unknown name"))
            or "is not a value or let name" in msg or "found unknown name '" in msg
            or msg.startswith("expected a name after 'let'")):
        return "name"
    if ("compares with" in msg or "column; '" in msg or "is not a bool" in msg
            or "needs an aggregation" in msg or msg.startswith("unknown operator")
            or "needs numbers" in msg or "not a list" in msg or "indexes a dynamic value" in msg
            or msg.startswith("expected ')' or a bool in count()")
            or (msg.startswith("expected a timespan such as") and FOUND_VALUE.search(msg))):
        return "type"
    return "syntax"


def rule_text(i, query):
    body = "\n".join("  " + line if line else "" for line in query.split("\n"))
    return f"id: q{i:05d}\nname: q{i:05d}\nquery: |\n{body}\n"


QUERY_LINE0 = 3  # file line of the text before the query's first line
QUERY_COL0 = 2   # its indent


def rmmhunt(queries):
    with tempfile.TemporaryDirectory() as tmp:
        for i, q in enumerate(queries):
            Path(tmp, f"q{i:05d}.yaml").write_text(rule_text(i, q), encoding="utf-8")
        r = subprocess.run([RMMHUNT, "rules", "check", tmp], capture_output=True, text=True,
                           timeout=600)
    out = {}
    for line in r.stdout.splitlines():
        v = json.loads(line)
        i = int(Path(v["File"]).stem[1:])
        if v["Valid"]:
            out[i] = None
            continue
        m = re.match(r".*?\.yaml:(\d+):(\d+): (?:query: )?(.*)", v["Error"], re.S)
        assert m, v["Error"]
        out[i] = (rmm_reason(m.group(3)), int(m.group(1)) - QUERY_LINE0,
                  int(m.group(2)) - QUERY_COL0, m.group(3))
    assert len(out) == len(queries), r.stderr[-2000:]
    return [out[i] for i in range(len(queries))]


TOKEN = re.compile(r"@?'(?:[^'\\\n]|\\.)*'?|@?\"(?:[^\"\\\n]|\\.)*\"?|!?[A-Za-z_][A-Za-z0-9_]*~?"
                   r"|\d[\w.]*|==|!=|=~|!~|<=|>=|\.\.|\S")


def token_index(query, line, col):
    """Which token of its line the 1-based line:col is in (between tokens: the next one)."""
    lines = query.split("\n")
    if line < 1 or line > len(lines):
        return None
    n = 0
    for n, m in enumerate(TOKEN.finditer(lines[line - 1])):
        if col - 1 < m.end():
            return n
    return n + 1


def near(query, a, b):
    """True when positions a and b (line, col) are within one token of each other."""
    if a == b:
        return True
    if a[0] != b[0]:
        return False
    ta, tb = token_index(query, *a), token_index(query, *b)
    return ta is not None and tb is not None and abs(ta - tb) <= 1


def compare(queries, ref, rmm):
    """The disagreements: (index, kind, reference verdict, rmmhunt verdict)."""
    bad = []
    for i, (q, a, b) in enumerate(zip(queries, ref, rmm)):
        if a is None and b is None:
            continue
        if a is None:
            if b[0] != "unsupported":
                bad.append((i, "rmmhunt refuses valid KQL", a, b))
            continue
        if b is None:
            bad.append((i, "rmmhunt accepts what the reference refuses", a, b))
            continue
        if b[0] == "unsupported":
            continue  # refused for the subset; the reference refuses too
        if a[0] != b[0]:
            bad.append((i, "reason", a, b))
        elif not near(q, a[1:3], b[1:3]):
            bad.append((i, "position", a, b))
    return bad


# Where both refuse and rmmhunt's reason cannot be the reference's, for a reason
# rules/README.md states ("Where the reasons differ"): a description, and the
# test that recognizes one such query from the two verdicts.
KNOWN_DIFFERENCES = [
    ("Kusto's recovery reads past the fault rmmhunt reports: its first error is on a "
     "later line (an unclosed '(' swallowing the lines after it, a let value without "
     "its ';' continued by the next line's '|')",
     lambda q, a, b: a[1] > b[1]),
]


def known_difference(query, a, b):
    """The KNOWN_DIFFERENCES description that explains disagreement a/b, or None."""
    for what, test in KNOWN_DIFFERENCES:
        if test(query, a, b):
            return what
    return None


# Queries that use each construct rules/README.md describes, as bases for mutation.
README_QUERIES = [
    "DeviceProcessEvents\n| where Timestamp > ago(5d)\n| where FileName in~ ('a.exe', 'b.exe')",
    "let names = dynamic(['AnyDesk', 'TeamViewer']);\nDeviceProcessEvents\n"
    "| where ProcessVersionInfoCompanyName has_any (names)\n| summarize count() by DeviceId",
    "DeviceProcessEvents\n| where not(FolderPath startswith '/usr') and isnotempty(SHA256)\n"
    "| summarize Seen=dcount(FolderPath), Paths=make_set(FolderPath, 10) by DeviceName",
    "DeviceProcessEvents\n| where ProcessCreationTime between (datetime(2024-01-01) .. "
    "datetime(2024-01-02 10:00:00))\n| where ProcessId !in (1, 2) and AccountUid == 0",
    "DeviceProcessEvents\n| project FileName, Path=FolderPath, Timestamp, DeviceId, DeviceName, "
    "ReportId\n| where Path endswith_cs '/x'\n| summarize count() by FileName",
    "DeviceProcessEvents\n| where ProcessCommandLine contains \"--remote\" or "
    "ProcessCommandLine =~ @'C:\\x'\n| summarize FirstSeen=min(Timestamp) by DeviceId\n"
    "| project DeviceId, FirstSeen",
    "DeviceProcessEvents\n| where ExecutableDeleted == true and ArgvLength >= 4096",
    "DeviceProcessEvents\n| where Timestamp > now(-1h) and Timestamp <= now()\n"
    "| extend Vendor=ProcessVersionInfoCompanyName\n| where Vendor !has 'Microsoft'",
    "DeviceNetworkEvents\n| where RemotePort == 443 and RemoteUrl endswith '.atera.com'\n"
    "| summarize count() by DeviceId, RemoteUrl, InitiatingProcessAccountUpn",
    "DeviceFileCertificateInfo\n| where IsSigned == false and Signer has 'Atera'\n"
    "| summarize LastSeen=max(Timestamp) by DeviceId, SHA1",
]

OPERATORS = ["has", "!has", "has_cs", "!has_cs", "contains", "!contains", "contains_cs",
             "startswith", "!startswith", "endswith", "!endswith_cs", "==", "!=", "=~", "!~",
             "in", "!in", "in~", "!in~", "has_any", "has_all", "<", "<=", ">", ">=", "between",
             "!between", "hasprefix", "matches regex", "like", "HAS", "has_all has_any", "=",
             "==~", "notcontains", "in~~"]
STRINGS = ["'x'", '"x"', "@'C:\\Program Files\\X\\'", '@"a""b"', "'it\\'s'", "'tab\\tsep'",
           "'Krämer'", "'日本語'", "'😀 emoji'", "'bad\\qescape'", "'unterminated", "h'hidden'",
           "@'verbatim \\ no escape'", "'\\u00e9'", "''", "\"\"", "'a' 'b'", "'x'*2", "'x'+",
           "'\\\\'", "@''''", "'multi\\nline'", "\"mixed'quote\""]
VALUES = ["5", "-5", "1.5", "5d", "1.5h", "true", "false", "now()", "ago(5d)", "now(-5d)",
          "datetime(2024-01-01)", "datetime(bad)", "dynamic(['a'])", "('a', 'b')", "('a',)",
          "()", "(1, 'a')", "null", "x", "Time_start", "5 d", "0x10", "1e3", "10ms", "ago()"]
EXTRA_COLUMNS = ["AccountUpn", "InitiatingProcessAccountUpn", "RemoteUrl", "Signer", "FileName",
                 "filename", "FileNam", "ProcessId", "Timestamp", "IsSigned", "RemotePort",
                 "VersionInfoCompanyNames", "LogonId", "AdditionalFields", "WinePrefix",
                 "InitiatingProcessParentId", "SHA1", "Nope", "Device Id", "['FileName']"]
TABLES = ["DeviceProcessEvents", "DeviceNetworkEvents", "DeviceFileCertificateInfo",
          "DeviceEvents", "deviceprocessevents", "DeviceProcessEvent"]
PIPES = ["| take 10", "| project FileName", "| distinct DeviceId", "| order by Timestamp",
         "| extend X = 1", "| where", "|", "| | where FileName has 'x'", "| count",
         "| where FileName has 'x' |", "| summarize count()", "| top 5 by Timestamp",
         "| project-away FileName", "| where FileName has 'x'", "| limit 3"]


def _tokens(q):
    return [(m.start(), m.end(), m.group(0)) for m in TOKEN.finditer(q)]


def _replace(q, tok, text):
    return q[:tok[0]] + text + q[tok[1]:]


def mutate(rng, q, tables):
    """One random mutation of query @q."""
    toks = _tokens(q)
    idents = [t for t in toks if re.match(r"[A-Za-z_]", t[2])]
    columns = [t for t in idents if any(t[2] in cols for cols in tables.values())]
    ops = [t for t in toks if t[2] in OPERATORS or t[2] in ("and", "or")]
    strings = [t for t in toks if t[2][:1] in "'\"@"]
    parens = [t for t in toks if t[2] in "()"]
    kind = rng.choice(["op", "op", "column", "column", "string", "string", "value", "paren",
                       "pipe", "table", "keyword", "delete", "duplicate", "semicolon"])
    if kind == "op" and ops:
        return _replace(q, rng.choice(ops), rng.choice(OPERATORS + ["and", "or", "AND", "&&"]))
    if kind == "column" and columns:
        allcols = sorted({c for cols in tables.values() for c in cols})
        new = rng.choice(EXTRA_COLUMNS + [rng.choice(allcols) for _ in range(3)])
        return _replace(q, rng.choice(columns), new)
    if kind == "string" and strings:
        return _replace(q, rng.choice(strings), rng.choice(STRINGS))
    if kind == "value" and (strings or ops):
        return _replace(q, rng.choice(strings or ops), rng.choice(VALUES))
    if kind == "paren" and parens:
        t = rng.choice(parens)
        return _replace(q, t, rng.choice(["", "", "((", "))", "[", "]"]))
    if kind == "pipe":
        lines = q.split("\n")
        i = rng.randrange(len(lines) + 1)
        return "\n".join(lines[:i] + [rng.choice(PIPES)] + lines[i:])
    if kind == "table":
        for t in toks:
            if t[2] in TABLES:
                return _replace(q, t, rng.choice(TABLES))
    if kind == "keyword":
        words = [t for t in toks if t[2] in ("where", "summarize", "by", "let", "and", "or",
                                             "isempty", "now", "not", "count", "make_set")]
        if words:
            t = rng.choice(words)
            return _replace(q, t, rng.choice([t[2].upper(), t[2].capitalize(), t[2] + "s"]))
    if kind == "delete" and toks:
        return _replace(q, rng.choice(toks), "")
    if kind == "duplicate" and toks:
        t = rng.choice(toks)
        return _replace(q, t, t[2] + " " + t[2])
    if kind == "semicolon":
        if ";" in q:
            return q.replace(";", "", 1)
        return q + ";"
    return q + "\n| where " + rng.choice(["x", "FileName has", "(", "1"])


def corpus(n, seed=15):
    """@n mutated queries: the pack's (as published and corrected) and README's."""
    import random
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        tables = {}
        for line in Path(tables_file(tmp)).read_text().splitlines():
            c = json.loads(line)
            tables.setdefault(c["Table"], []).append(c["Column"])
    bases = [pack_query(r) for r in pack_rows()]
    bases += [b.replace(", AccountUpn", ", InitiatingProcessAccountUpn")
              .replace(", )", " )") for b in bases if "DeviceNetworkEvents" in b]
    bases += README_QUERIES * 8
    out, seen = [], set()
    while len(out) < n:
        q = rng.choice(bases)
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            q = mutate(rng, q, tables)
        q = q.lstrip(" \t\n")
        if q in seen or not q or "\r" in q:
            continue
        seen.add(q)
        out.append(q)
    return out

# SPDX-License-Identifier: MIT
"""Deployment artifacts: Kubernetes manifests against the API schema, the
systemd unit through systemd-analyze, make install/uninstall into a DESTDIR,
the static binary, and the collector configurations.

Run from the repository root (`make e2e`). Needs node + npm (the schema
check installs tests/deploy's locked packages), systemd-analyze and
python3-yaml: scripts/deps/test-deploy.txt.
"""
import copy
import fnmatch
import importlib.util
import json
import os
import re
import shutil
import subprocess

import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RMMHUNT = os.path.abspath(os.environ.get("RMMHUNT", os.path.join(ROOT, "build", "rmmhunt")))
K8S = os.path.join(ROOT, "deploy", "kubernetes")
COLLECTORS = os.path.join(ROOT, "deploy", "collectors")
UNIT = os.path.join(ROOT, "deploy", "systemd", "rmmhunt.service")
VERSION = open(os.path.join(ROOT, "VERSION")).read().strip()
MONITOR_CAPS = {"BPF", "PERFMON", "SYS_PTRACE", "DAC_READ_SEARCH"}


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)


def manifests():
    """{file name: [objects]} for every manifest kustomize applies."""
    out = {}
    for name in sorted(os.listdir(K8S)):
        if name.endswith(".yaml") and name != "kustomization.yaml":
            with open(os.path.join(K8S, name)) as f:
                out[name] = [d for d in yaml.safe_load_all(f) if d]
    return out


def objects(kind):
    return [o for docs in manifests().values() for o in docs if o["kind"] == kind]


def daemonset():
    (ds,) = objects("DaemonSet")
    return ds


def container():
    (c,) = daemonset()["spec"]["template"]["spec"]["containers"]
    return c


@pytest.fixture(scope="module")
def validator():
    """Runs tests/deploy/validate.js (kubernetes-models) over a list of objects."""
    deploy = os.path.join(ROOT, "tests", "deploy")
    if not os.path.isdir(os.path.join(deploy, "node_modules", "kubernetes-models")):
        r = run(["npm", "ci", "--no-audit", "--no-fund"], cwd=deploy)
        assert r.returncode == 0, r.stderr
    def validate(objs):
        return run(["node", os.path.join(deploy, "validate.js")], input=json.dumps(objs))
    return validate


def test_manifests__kubernetes_api_schema__valid(validator):
    objs = [o for docs in manifests().values() for o in docs]
    r = validator(objs)
    assert r.returncode == 0, r.stdout + r.stderr
    seen = set(r.stdout.splitlines())
    for o in objs:
        assert f"ok {o['kind']} {o['metadata']['name']}" in seen
    assert {o["kind"] for o in objs} == {"Namespace", "ServiceAccount", "ConfigMap", "DaemonSet"}


@pytest.mark.parametrize("path,value", [
    (("spec", "template", "spec", "hostPID"), "yes"),
    (("spec", "template", "spec", "containers", 0, "ports", 0, "containerPort"), "metrics"),
    (("spec", "template", "spec", "containers", 0, "securityContext", "capabilities", "add"),
     "BPF"),
    (("spec", "selector"), None),
])
def test_manifests__schema_check__rejects_broken_daemonset(validator, path, value):
    """The validator is not a rubber stamp: each broken copy must fail."""
    ds = copy.deepcopy(daemonset())
    node = ds
    for key in path[:-1]:
        node = node[key]
    if value is None:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    r = validator([ds])
    assert r.returncode == 1
    assert r.stdout.startswith("error DaemonSet rmmhunt")


def test_kustomization__lists_every_manifest_in_one_namespace():
    with open(os.path.join(K8S, "kustomization.yaml")) as f:
        k = yaml.safe_load(f)
    assert sorted(k["resources"]) == sorted(manifests())
    for docs in manifests().values():
        for o in docs:
            if o["kind"] != "Namespace":
                assert o["metadata"]["namespace"] == k["namespace"]
    (ns,) = objects("Namespace")
    assert ns["metadata"]["name"] == k["namespace"]
    assert daemonset()["spec"]["template"]["spec"]["serviceAccountName"] == \
        objects("ServiceAccount")[0]["metadata"]["name"]


def test_daemonset__least_privilege_on_every_node():
    spec = daemonset()["spec"]["template"]["spec"]
    sc = container()["securityContext"]
    assert spec["hostPID"] is True
    assert not spec.get("hostNetwork", False)
    assert spec["automountServiceAccountToken"] is False
    assert {"operator": "Exists"} in spec["tolerations"]
    assert sc["privileged"] is False
    assert sc["allowPrivilegeEscalation"] is False
    assert sc["readOnlyRootFilesystem"] is True
    assert sc["capabilities"]["drop"] == ["ALL"]
    assert set(sc["capabilities"]["add"]) == MONITOR_CAPS
    res = container()["resources"]
    assert {"cpu", "memory"} <= set(res["requests"]) and {"cpu", "memory"} <= set(res["limits"])


def test_daemonset__host_mounts_read_only():
    vols = {v["name"]: v for v in daemonset()["spec"]["template"]["spec"]["volumes"]}
    mounts = {m["mountPath"]: m for m in container()["volumeMounts"]}
    for path, host in [("/sys/kernel/btf", "/sys/kernel/btf"), ("/etc/machine-id", "/etc/machine-id")]:
        assert mounts[path]["readOnly"] is True
        assert vols[mounts[path]["name"]]["hostPath"]["path"] == host
    # user names come from each process's own root, not a mount of the node's
    assert "/etc/passwd" not in mounts
    state = mounts["/var/lib/rmmhunt"]
    assert vols[state["name"]]["hostPath"]["path"] == "/var/lib/rmmhunt"
    rules = mounts["/etc/rmmhunt/rules"]
    assert vols[rules["name"]]["configMap"]["name"] == objects("ConfigMap")[0]["metadata"]["name"]
    env = {e["name"]: e for e in container()["env"]}
    assert env["NODE_NAME"]["valueFrom"]["fieldRef"]["fieldPath"] == "spec.nodeName"


def test_daemonset__probes_reach_the_metrics_listener():
    args = container()["args"]
    assert args[0] == "run"
    listen = args[args.index("--metrics-listen") + 1]
    assert args[args.index("--rules") + 1] == "/etc/rmmhunt/rules"
    host, port = listen.rsplit(":", 1)
    assert host == "0.0.0.0"  # the kubelet probes the pod IP
    (p,) = [p for p in container()["ports"] if p["name"] == "metrics"]
    assert p["containerPort"] == int(port)
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        get = container()[probe]["httpGet"]
        assert get["path"] == "/healthz" and get["port"] == "metrics"


def test_configmap__is_the_default_rule_set(tmp_path):
    """The ConfigMap holds rules/*.yaml byte for byte (`make k8s-rules` regenerates it)."""
    rules = sorted(f for f in os.listdir(os.path.join(ROOT, "rules")) if f.endswith(".yaml"))
    assert rules, "rules/*.yaml: the default rule set is missing"
    (cm,) = objects("ConfigMap")
    want = {f: open(os.path.join(ROOT, "rules", f)).read() for f in rules}
    assert cm["data"] == want, "deploy/kubernetes/configmap-rules.yaml is stale: make k8s-rules"
    r = run([os.path.join(K8S, "gen-rules-configmap.sh")] + [os.path.join("rules", f) for f in rules],
            cwd=ROOT)
    assert r.returncode == 0
    assert r.stdout == open(os.path.join(K8S, "configmap-rules.yaml")).read()


def unit_for(bindir, tmp_path):
    text = open(UNIT).read().replace("@bindir@", bindir)
    path = tmp_path / "rmmhunt.service"
    path.write_text(text)
    return path


def unit_settings():
    out = {}
    for line in open(UNIT):
        line = line.strip()
        if line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            out.setdefault(key, []).append(value)
    return out


def test_systemd_unit__verifies(tmp_path):
    unit = unit_for(os.path.dirname(RMMHUNT), tmp_path)
    r = run(["systemd-analyze", "verify", str(unit)])
    # verify only warns (exit 0) about unknown keys or bad values: any output fails.
    assert r.returncode == 0 and r.stderr == "" and r.stdout == "", r.stderr


def test_systemd_unit__verify_catches_mistakes(tmp_path):
    unit = unit_for(os.path.dirname(RMMHUNT), tmp_path)
    unit.write_text(unit.read_text().replace("ProtectHome=read-only", "ProtectHome=readonly"))
    r = run(["systemd-analyze", "verify", str(unit)])
    assert "readonly" in r.stderr
    unit = unit_for("/nonexistent", tmp_path)
    assert run(["systemd-analyze", "verify", str(unit)]).returncode != 0


def test_systemd_unit__bounded_and_sees_the_host():
    s = unit_settings()
    assert s["Type"] == ["notify"]
    assert s["ExecStart"] == ["@bindir@/rmmhunt run"]
    assert set(s["CapabilityBoundingSet"][0].split()) == {"CAP_" + c for c in MONITOR_CAPS}
    assert s["NoNewPrivileges"] == ["yes"]
    assert s["ProtectSystem"] == ["strict"]
    assert s["StateDirectory"] == ["rmmhunt"]
    # The monitor must see every process and the files they run.
    for hiding in ("ProtectProc", "ProcSubset", "PrivateTmp", "PrivateDevices", "PrivatePIDs"):
        assert hiding not in s
    assert s["ProtectHome"] == ["read-only"]


def make(*args):
    r = run(["make", "--no-print-directory"] + list(args), cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    return r


def installed_files(root):
    return sorted(os.path.relpath(os.path.join(d, f), root)
                  for d, _, files in os.walk(root) for f in files)


@pytest.mark.parametrize("prefix", ["/usr/local", "/usr"])
def test_make_install__into_destdir__then_uninstall(tmp_path, prefix):
    dest = tmp_path / "root"
    make("install", f"DESTDIR={dest}", f"PREFIX={prefix}")
    p = prefix.lstrip("/")
    rules = sorted(os.path.relpath(os.path.join(d, f), os.path.join(ROOT, "rules"))
                   for d, _, files in os.walk(os.path.join(ROOT, "rules"))
                   for f in files if f.endswith(".yaml"))
    assert installed_files(dest) == sorted(
        [f"{p}/bin/rmmhunt", f"{p}/lib/systemd/system/rmmhunt.service"]
        + [f"{p}/share/rmmhunt/rules/{r}" for r in rules])

    binary = dest / p / "bin" / "rmmhunt"
    assert os.access(binary, os.X_OK)
    assert run([str(binary), "--version"]).stdout == f"rmmhunt {VERSION}\n"
    unit = (dest / p / "lib/systemd/system/rmmhunt.service").read_text()
    assert f"\nExecStart={prefix}/bin/rmmhunt run\n" in unit
    assert "@bindir@" not in unit
    assert oct(os.stat(dest / p / "lib/systemd/system/rmmhunt.service").st_mode & 0o777) == "0o644"
    # The installed unit verifies, pointed at the installed binary inside DESTDIR.
    check = tmp_path / "rmmhunt.service"
    check.write_text(unit.replace(f"{prefix}/bin/", f"{dest}/{p}/bin/"))
    r = run(["systemd-analyze", "verify", str(check)])
    assert r.returncode == 0 and r.stderr == "", r.stderr

    # A rule the operator added stays; everything make installed goes.
    local = dest / p / "share/rmmhunt/rules/local.yaml"
    local.write_text("id: local\n")
    make("uninstall", f"DESTDIR={dest}", f"PREFIX={prefix}")
    assert installed_files(dest) == [f"{p}/share/rmmhunt/rules/local.yaml"]
    local.unlink()
    make("uninstall", f"DESTDIR={dest}", f"PREFIX={prefix}")
    assert not (dest / p / "share" / "rmmhunt").exists()


def test_make_static__no_dynamic_dependencies():
    make("static")
    binary = os.path.join(ROOT, "build", "static", "rmmhunt")
    assert "statically linked" in run(["file", "-L", binary]).stdout
    r = run(["ldd", binary])
    assert "not a dynamic executable" in r.stdout + r.stderr
    assert run([binary, "--version"]).stdout == f"rmmhunt {VERSION}\n"


def fluent_bit_sections(path):
    """[SECTION] blocks of a Fluent Bit classic config: [(name, {key: [values]})]."""
    sections = []
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r"\[([A-Z]+)\]", line)
        if m:
            sections.append((m.group(1), {}))
            continue
        assert sections, f"{path}: a key before any section: {line}"
        key, _, value = line.partition(" ")
        sections[-1][1].setdefault(key.lower(), []).append(value.strip())
    return sections


def env_example():
    out = {}
    for line in open(os.path.join(COLLECTORS, "azure.env.example")):
        if line.strip() and not line.startswith("#"):
            k, _, v = line.strip().partition("=")
            out[k] = v
    return out


def test_collectors__placeholders_obvious_and_all_defined():
    env = env_example()
    for k, v in env.items():
        assert "REPLACE" in v or set(v.replace("-", "").replace("dcr", "")) == {"0"}, (k, v)
    used = set()
    for f in ("fluent-bit.conf", "vector.yaml"):
        text = open(os.path.join(COLLECTORS, f)).read()
        used |= set(re.findall(r"\$\{(\w+)\}", text))
        # No credential or id other than through the environment.
        assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", text)
    assert used == set(env)


# Every record type rmmhunt prints on stdout that Sentinel gets, and its table.
# Status records (the monitor's own health) and log lines stay on the node.
SHIPPED = {"DeviceProcessEvents": "RmmhuntProcessEvents_CL",
           "DeviceFileCertificateInfo": "RmmhuntFileCertificateInfo_CL",
           "DeviceNetworkEvents": "RmmhuntNetworkEvents_CL",
           "Alert": "RmmhuntAlerts_CL"}
# `rmmhunt rules tables` type names as Log Analytics column types.
LA_TYPES = {"string": "string", "long": "long", "datetime": "datetime", "bool": "boolean",
            "dynamic": "dynamic"}
SAMPLE = {"string": "x", "long": 1, "datetime": "2026-11-28T06:00:00.000000Z",
          "boolean": True, "dynamic": ["x"]}


@pytest.fixture(scope="module")
def record_columns():
    """{RecordType: [(column, Log Analytics type)]}: what the binary prints, in order.

    From the binary (`rules tables`), not from user/event.h's text, so a column
    the generator failed to read is caught too.
    """
    r = run([RMMHUNT, "rules", "tables"])
    assert r.returncode == 0, r.stderr
    out = {}
    for line in r.stdout.splitlines():
        c = json.loads(line)
        if c["Filled"]:
            out.setdefault(c["Table"], []).append((c["Column"], LA_TYPES[c["Type"]]))
    return out


def table_columns(table):
    with open(os.path.join(COLLECTORS, "azure", f"{table}.table.json")) as f:
        doc = json.load(f)
    assert doc["properties"]["schema"]["name"] == table
    return [(c["name"], c["type"]) for c in doc["properties"]["schema"]["columns"]]


def samples(record_columns):
    """One line per shipped RecordType, with every column it can have set, plus
    lines no collector may ship: {line: expected table or None}."""
    out = {}
    for rt, table in SHIPPED.items():
        cols = record_columns.get(rt) or [(n, t) for n, t in table_columns(table)
                                          if n not in ("TimeGenerated", "RecordType")]
        rec = {"RecordType": rt}
        rec.update({n: SAMPLE[t] for n, t in cols})
        rec["RawBase64"] = {"x": "eA=="}
        out[json.dumps(rec)] = table
    out[json.dumps({"RecordType": "Status", "Timestamp": SAMPLE["datetime"]})] = None
    out["rmmhunt: warning: a log line on stderr"] = None
    return out


def fluent_bit_route(sections, line):
    """The azure_logs_ingestion table_names a journal line reaches, as Fluent Bit
    routes it: parser filter (JSON only), grep, rewrite_tag (first rule that
    matches), then every output whose Match fits the tag."""
    try:
        rec = json.loads(line)
    except ValueError:
        return []
    filters = {s["name"][0]: s for n, s in sections if n == "FILTER"}
    for regex in filters["grep"]["regex"]:
        key, _, pattern = regex.partition(" ")
        if not re.search(pattern.strip(), str(rec.get(key, ""))):
            return []
    tag = "rmmhunt.journal"
    for rule in filters["rewrite_tag"]["rule"]:
        key, pattern, new_tag, keep = rule.split()
        if re.search(pattern, str(rec.get(key.lstrip("$"), ""))):
            assert keep == "false"  # keeping the original would ship nothing more, only cost
            tag = new_tag
            break
    return [s["table_name"][0] for n, s in sections if n == "OUTPUT"
            and s["name"] == ["azure_logs_ingestion"] and fnmatch.fnmatchcase(tag, s["match"][0])]


def test_collectors__fluent_bit_routes_each_record_type_to_its_table(record_columns):
    sections = fluent_bit_sections(os.path.join(COLLECTORS, "fluent-bit.conf"))
    parsers = fluent_bit_sections(os.path.join(COLLECTORS, "parsers.conf"))
    (service,) = [s for n, s in sections if n == "SERVICE"]
    assert service["parsers_file"] == ["parsers.conf"]
    (inp,) = [s for n, s in sections if n == "INPUT"]
    assert inp["systemd_filter"] == ["_SYSTEMD_UNIT=rmmhunt.service"]
    filters = {s["name"][0]: s for n, s in sections if n == "FILTER"}
    assert filters["parser"]["parser"][0] in {p["name"][0] for _, p in parsers}
    outputs = [s for n, s in sections if n == "OUTPUT"]
    assert sorted(s["table_name"][0] for s in outputs) == sorted(SHIPPED.values())
    for line, table in samples(record_columns).items():
        assert fluent_bit_route(sections, line) == ([table] if table else []), line[:80]


def test_collectors__fluent_bit_route_model_sees_a_dropped_record_type(record_columns):
    """The routing check is not a rubber stamp: without the network rule,
    network records stay on the journal tag, which no output matches."""
    sections = fluent_bit_sections(os.path.join(COLLECTORS, "fluent-bit.conf"))
    filters = {s["name"][0]: s for n, s in sections if n == "FILTER"}
    filters["rewrite_tag"]["rule"] = [r for r in filters["rewrite_tag"]["rule"]
                                      if "DeviceNetworkEvents" not in r]
    routed = {table: fluent_bit_route(sections, line)
              for line, table in samples(record_columns).items()}
    assert routed["RmmhuntNetworkEvents_CL"] == []
    assert routed["RmmhuntProcessEvents_CL"] == ["RmmhuntProcessEvents_CL"]


def vector_route(v, line):
    """The stream_names a journal line reaches in Vector: JSON only, then every
    route whose `.RecordType == "..."` condition holds, then its sinks."""
    try:
        rec = json.loads(line)
    except ValueError:
        return []
    streams = []
    for name, cond in v["transforms"]["rmmhunt_route"]["route"].items():
        m = re.fullmatch(r'\.RecordType == "(\w+)"', cond)
        assert m, f"vector.yaml: route {name}: the test models only RecordType equality"
        if rec.get("RecordType") == m.group(1):
            streams += [s["stream_name"] for s in v["sinks"].values()
                        if f"rmmhunt_route.{name}" in s["inputs"]]
    return streams


def test_collectors__vector_routes_each_record_type_to_its_stream(record_columns):
    with open(os.path.join(COLLECTORS, "vector.yaml")) as f:
        v = yaml.safe_load(f)
    assert v["sources"]["rmmhunt_journal"]["include_units"] == ["rmmhunt.service"]
    parse = v["transforms"]["rmmhunt_parse"]
    assert parse["inputs"] == ["rmmhunt_journal"] and parse["drop_on_abort"] is True
    assert v["transforms"]["rmmhunt_route"]["inputs"] == ["rmmhunt_parse"]
    sinks = [s for s in v["sinks"].values() if s["type"] == "azure_logs_ingestion"]
    assert sorted(s["stream_name"] for s in sinks) == \
        sorted(f"Custom-{t}" for t in SHIPPED.values())
    for line, table in samples(record_columns).items():
        assert vector_route(v, line) == ([f"Custom-{table}"] if table else []), line[:80]
    del v["transforms"]["rmmhunt_route"]["route"]["network"]
    lines = {t: line for line, t in samples(record_columns).items()}
    assert vector_route(v, lines["RmmhuntNetworkEvents_CL"]) == []


def test_collectors__azure_schema_follows_event_h(tmp_path, record_columns):
    r = run([os.path.join(COLLECTORS, "gen-azure-schema.py"), str(tmp_path)])
    assert r.returncode == 0, r.stderr
    committed = os.path.join(COLLECTORS, "azure")
    assert sorted(os.listdir(tmp_path)) == sorted(os.listdir(committed))
    for f in os.listdir(tmp_path):
        assert (tmp_path / f).read_text() == open(os.path.join(committed, f)).read(), \
            f"deploy/collectors/azure/{f} is stale: make azure-schema"
    # Every record type the binary produces has a table; each table is exactly
    # the binary's columns, in its order and typed, between the two every row has.
    produced = {c for c in record_columns}
    assert produced <= set(SHIPPED), f"records with no table: {produced - set(SHIPPED)}"
    assert set(SHIPPED) - produced == {"Alert"}
    for rt, cols in record_columns.items():
        assert table_columns(SHIPPED[rt]) == ([("TimeGenerated", "datetime"),
                                               ("RecordType", "string")]
                                              + cols + [("RawBase64", "dynamic")]), rt
    cols = dict(table_columns("RmmhuntProcessEvents_CL"))
    certs = dict(table_columns("RmmhuntFileCertificateInfo_CL"))
    net = dict(table_columns("RmmhuntNetworkEvents_CL"))
    assert "ProcessId" not in certs and "Signer" not in cols and "RemoteIP" not in cols
    assert certs["IsSigned"] == "boolean" and certs["NestedSignatures"] == "dynamic"
    assert cols["Timestamp"] == "datetime" and cols["ReportId"] == "long"
    assert cols["VersionInfoCompanyNames"] == "dynamic" and cols["TimeGenerated"] == "datetime"
    assert net["RemotePort"] == "long" and net["RemoteUrl"] == "string"
    assert net["InitiatingProcessCreationTime"] == "datetime" and net["NetNamespace"] == "long"
    # the entries user/event.h wraps over two lines
    assert net["InitiatingProcessVersionInfoProductVersion"] == "string"
    assert net["InitiatingProcessVersionInfoFileDescription"] == "string"


def gen_azure_schema():
    spec = importlib.util.spec_from_file_location(
        "gen_azure_schema", os.path.join(COLLECTORS, "gen-azure-schema.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("entry", ['X(NEW, "New", FT_DECIMAL)', 'X(NEW, NEW_NAME, FT_STRING)',
                                   'X(NEW, "New", FT_STRING, 1)', 'COLUMN(NEW, "New", FT_LONG)'])
def test_collectors__azure_schema_generator_refuses_an_entry_it_cannot_read(entry):
    """A column the generator cannot read stops it: no table silently lacks it."""
    gen = gen_azure_schema()
    text = ('#define T_FIELDS(X) \\\n\tX(TIMESTAMP, "Timestamp", FT_TIME) \\\n'
            '\tX(WRAPPED_LONG_NAME, \\\n\t  "WrappedLongName", FT_STRING) \\\n\t%s\n\nenum x;\n')
    assert gen.macro_fields(text % 'X(ID, "Id", FT_LONG)', "T_FIELDS") == [
        ("Timestamp", "FT_TIME"), ("WrappedLongName", "FT_STRING"), ("Id", "FT_LONG")]
    with pytest.raises(SystemExit):
        gen.macro_fields(text % entry, "T_FIELDS")
    with pytest.raises(SystemExit):
        gen.macro_fields(text, "NO_FIELDS")


def test_collectors__dcr_declares_and_transforms_every_table():
    with open(os.path.join(COLLECTORS, "azure", "dcr.json")) as f:
        props = json.load(f)["properties"]
    decl = props["streamDeclarations"]
    assert set(decl) == {f"Custom-{t}" for t in SHIPPED.values()}
    for table in SHIPPED.values():
        stream = f"Custom-{table}"
        assert [(c["name"], c["type"]) for c in decl[stream]["columns"]] == table_columns(table)
        (flow,) = [f for f in props["dataFlows"] if f["streams"] == [stream]]
        # the record's own time is the row's time, not the upload's
        assert flow["transformKql"] == "source | extend TimeGenerated = todatetime(Timestamp)"
        assert flow["outputStream"] == stream and flow["destinations"] == ["workspace"]
        assert ("Timestamp", "datetime") in table_columns(table)
    (ws,) = props["destinations"]["logAnalytics"]
    assert ws["name"] == "workspace"


def test_collectors__readme_creates_every_table():
    text = open(os.path.join(COLLECTORS, "README.md")).read()
    for rt, table in SHIPPED.items():
        assert re.search(rf"^\| {rt} +\| `{table}` +\| `Custom-{table}` +\|$", text, re.M), rt
        assert f"/tables/{table}?api-version=" in text
        assert f"--body @deploy/collectors/azure/{table}.table.json" in text

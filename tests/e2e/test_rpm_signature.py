"""DeviceFileCertificateInfo records of native programs from signed rpm packages (issue 13):
the package's header signature, checked with the key of the rpmdb's gpg-pubkey entry,
reported with SignatureType "Package". The packages, keys and roots are made at test time
by tests/fixtures/rpm/signed.sh (rpmbuild, rpmsign with a throw-away gpg key, rpm --root
--import / -i --justdb); the programs run chrooted into those roots."""
import datetime
import hashlib
import json
import os
import re
import subprocess

import pytest

from monitor import RMMHUNT, Monitor

FIXTURE = os.path.join(os.path.dirname(__file__), "../fixtures/rpm/signed.sh")
DB = ["--dbpath", "/var/lib/rpm"]
RSA_SIGNER = "Atera Networks Test <rpm@atera.test>"
ED_SIGNER = "EdDSA Test Signer <ed@atera.test>"
UTC = dict(os.environ, TZ="UTC", LC_ALL="C")


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    d = tmp_path_factory.mktemp("rpmsig")
    subprocess.run([FIXTURE, str(d)], check=True, stdout=subprocess.DEVNULL)
    return d


def sha1(path):
    return hashlib.sha1(open(path, "rb").read()).hexdigest()


def gpg_fingerprint(fx, email):
    out = subprocess.run(["gpg", "--with-colons", "--fingerprint", email], check=True,
                         capture_output=True, text=True,
                         env=dict(os.environ, GNUPGHOME=str(fx / "gnupg"))).stdout
    return next(line.split(":")[9] for line in out.splitlines()
                if line.startswith("fpr:")).lower()


def start_in(root, name):
    """/usr/bin/NAME of ROOT run chrooted there, as busybox's sleep applet (argv[0]),
    alive until killed: a program gone before it is read has no identity."""
    def enter():
        os.chroot(root)
        os.chdir("/")
    return subprocess.Popen(["sleep", "30"], executable=f"/usr/bin/{name}", preexec_fn=enter)


def certificates(records, **match):
    return [r for r in records if r.get("RecordType") == "DeviceFileCertificateInfo"
            and all(r.get(k) == v for k, v in match.items())]


RUNS = [("root", "rmmtest-signed"), ("root", "rmmtest-eddsa"), ("root", "rmmtest-unsigned"),
        ("nokey", "rmmtest-signed"), ("tampered", "rmmtest-signed")]


def test_signed_package_programs_give_package_certificate_records(fx):
    files = {run: fx / run[0] / "usr" / "bin" / run[1] for run in RUNS}
    hashes = {run: sha1(path) for run, path in files.items()}
    assert len(set(hashes.values())) == len(RUNS)  # one record per SHA1: keep them apart
    signed = [run for run in RUNS if run[1] != "rmmtest-unsigned"]
    with Monitor("--emit", "events") as m:
        procs = [start_in(str(fx / root), name) for root, name in RUNS]
        try:
            got = m.wait_for(lambda recs: all(certificates(recs, SHA1=hashes[r]) for r in signed)
                             and m.events(SHA1=hashes[("root", "rmmtest-unsigned")]),
                             timeout=30)
        finally:
            for p in procs:
                p.kill()
                p.wait()
    assert got, [r for r in m.records if r.get("RecordType") != "DeviceProcessEvents"][-8:]
    cert = {run: certificates(m.records, SHA1=hashes[run]) for run in RUNS}
    for run in signed:
        assert len(cert[run]) == 1, (run, cert[run])
        cert[run] = cert[run][0]
        assert cert[run]["SignatureType"] == "Package"
        assert cert[run]["FileName"] == run[1]
    rsa = gpg_fingerprint(fx, "rpm@atera.test")
    ed = gpg_fingerprint(fx, "ed@atera.test")

    good = cert[("root", "rmmtest-signed")]
    assert good["IsSigned"] is True and good["IsTrusted"] is True
    assert good["Signer"] == RSA_SIGNER and good["Issuer"] == RSA_SIGNER
    assert good["SignerHash"] == rsa and good["IssuerHash"] == rsa
    assert good["CertificateSerialNumber"] == rsa[-16:]
    assert good["Signers"] == [RSA_SIGNER]
    assert good["CertificateCreationTime"] and good["CertificateExpirationTime"] is None
    assert good["IsRootSignerMicrosoft"] is False

    eddsa = cert[("root", "rmmtest-eddsa")]
    assert eddsa["IsSigned"] is True
    assert eddsa["Signer"] == ED_SIGNER and eddsa["SignerHash"] == ed

    # the key never imported: no signer, the key id (and the fingerprint the
    # signature names) still reported
    nokey = cert[("nokey", "rmmtest-signed")]
    assert nokey["IsSigned"] is False and nokey["IsTrusted"] is False
    assert nokey["Signer"] is None and nokey["Issuer"] is None
    assert nokey["CertificateSerialNumber"] == rsa[-16:]
    assert nokey["SignerHash"] == rsa

    # the installed header changed after the install: the key is there, the
    # signature no longer verifies
    tampered = cert[("tampered", "rmmtest-signed")]
    assert tampered["IsSigned"] is False
    assert tampered["Signer"] == RSA_SIGNER

    # unsigned: its package is known, but there is no certificate record
    ev = m.events(SHA1=hashes[("root", "rmmtest-unsigned")])
    assert ev and ev[-1]["VersionInfoSource"] == "rpm"
    assert cert[("root", "rmmtest-unsigned")] == []
    # the process events of the signed programs name the package too
    assert m.events(SHA1=hashes[("root", "rmmtest-signed")])[-1]["VersionInfoSource"] == "rpm"


def rpm_signature(root, name):
    """rpm's own reading: (algorithms, creation time, key id), or None when unsigned."""
    out = subprocess.run(["rpm", "--root", str(root), *DB, "-q", "--qf",
                          "[%{RSAHEADER:pgpsig}][%{DSAHEADER:pgpsig}]", name],
                         capture_output=True, text=True, env=UTC).stdout
    m = re.fullmatch(r"(\S+), (.+), Key ID ([0-9a-f]{16})", out.strip())
    if not m:
        return None
    when = datetime.datetime.strptime(" ".join(m.group(2).split()), "%a %b %d %H:%M:%S %Y")
    return m.group(1), when.strftime("%Y-%m-%dT%H:%M:%S"), m.group(3)


def rpm_key_owner(root, keyid):
    out = subprocess.run(["rpm", "--root", str(root), *DB, "-q", "--qf", "%{PACKAGER}",
                          f"gpg-pubkey-{keyid[-8:]}"], capture_output=True, text=True)
    return out.stdout if out.returncode == 0 else None


def rpm_verifies(fx, root, name):
    """rpmkeys --checksig of the package file against the root's keys, and rpm's own
    check of the installed header (a header changed in the rpmdb is skipped as BAD)."""
    k = subprocess.run(["rpmkeys", "--root", str(fx / root), *DB, "--checksig",
                        str(fx / "rpms" / f"{name}.rpm")], capture_output=True, text=True)
    q = subprocess.run(["rpm", "--root", str(fx / root), *DB, "-q", name],
                       capture_output=True, text=True)
    return k.returncode == 0 and "signatures OK" in k.stdout and "BAD" not in q.stderr


@pytest.mark.parametrize("root", ["root", "nokey", "tampered"])
def test_inspect_agrees_with_rpm(fx, root):
    names = ["rmmtest-signed", "rmmtest-eddsa", "rmmtest-unsigned"]
    out = subprocess.run([RMMHUNT, "inspect", "--root", str(fx / root),
                          *(f"/usr/bin/{n}" for n in names)],
                         capture_output=True, text=True, check=True).stdout
    recs = dict(zip(names, (json.loads(line) for line in out.splitlines())))
    for name in names:
        ours = recs[name]
        assert ours["VersionInfoSource"] == "rpm", ours
        theirs = rpm_signature(fx / root, name)
        if name == "rmmtest-signed" and root == "tampered":
            theirs = rpm_signature(fx / "root", name)  # rpm skips the changed header
        if theirs is None:
            assert "SignatureType" not in ours, ours
            continue
        algs, created, keyid = theirs
        assert ours["SignatureType"] == "Package"
        assert ours["CertificateSerialNumber"] == keyid
        assert algs.split("/")[1] == ours["SignatureDigestAlgorithm"]
        assert ours["CertificateCreationTime"].startswith(created)
        assert ours["Signer"] == rpm_key_owner(fx / root, keyid)
        assert ours["IsSigned"] is rpm_verifies(fx, root, name), ours

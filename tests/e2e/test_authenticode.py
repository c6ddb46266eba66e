# SPDX-License-Identifier: MIT
"""`rmmhunt inspect`'s Authenticode fields, field by field against `osslsigncode verify`
and `openssl pkcs7 -print_certs`: over PE32 and PE32+ fixtures signed at test time
under a test CA (tests/fixtures/pe/sign.py), and over real signed EFI images from
Debian packages fetched with apt-get download."""
import datetime
import hashlib
import json
import os
import re
import struct
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RMMHUNT = os.environ.get("RMMHUNT", str(REPO / "build" / "rmmhunt"))
FIXTURE_OUT = REPO / "build" / "fixtures" / "pe"
# Debian's signed EFI images: Microsoft's and Debian's signatures. systemd-boot's signed
# package is not in every release (bookworm has none): whichever are there are used.
EFI_PACKAGES = ("shim-signed", "grub-efi-amd64-signed", "fwupd-amd64-signed",
                "systemd-boot-efi-amd64-signed")
SIG_FIELDS = ("IsSigned", "SignatureType", "SignatureDigestAlgorithm", "Signer", "SignerHash",
              "Issuer", "IssuerHash", "CertificateSerialNumber", "CertificateCreationTime",
              "CertificateExpirationTime", "CertificateCountersignatureTime",
              "CrlDistributionPointUrls", "IsTrusted", "IsRootSignerMicrosoft")


def inspect(*paths, trust=None, args=()):
    env = dict(os.environ)
    env.pop("SSL_CERT_DIR", None)
    if trust:
        env["SSL_CERT_FILE"] = str(trust)
    else:
        env.pop("SSL_CERT_FILE", None)
    p = subprocess.run([RMMHUNT, "inspect", *args, *map(str, paths)], capture_output=True,
                       timeout=300, env=env)
    return p.returncode, [json.loads(line) for line in p.stdout.decode().splitlines()]


@pytest.fixture(scope="session")
def signed():
    subprocess.run([str(REPO / "tests" / "fixtures" / "pe" / "sign.py"), str(FIXTURE_OUT)],
                   check=True, timeout=600)
    d = FIXTURE_OUT / "signed"
    return d, json.loads((d / "manifest.json").read_text())


# --- the references -----------------------------------------------------------------------

def openssl_time(text):
    """'Dec  6 11:29:17 2026 GMT' -> RFC 3339 as rmmhunt writes it."""
    t = datetime.datetime.strptime(" ".join(text.split()), "%b %d %H:%M:%S %Y GMT")
    return t.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def cn(dn):
    m = re.search(r"(?:^|/)CN=([^/]*)", dn)
    return m.group(1) if m else None


def osslsigncode_verify(path, ca=None):
    """One dict per signature osslsigncode reports ("Signature Index: N"), in its order."""
    # -ignore-cdp: the test CRL URL resolves nowhere; the CRL files stand in for it.
    argv = ["osslsigncode", "verify", "-ignore-cdp", "-in", str(path)]
    if ca:
        argv += ["-CAfile", str(ca), "-TSA-CAfile", str(ca), "-CRLfile", str(ca.with_suffix(".crl")),
                 "-TSA-CRLfile", str(ca.with_suffix(".crl"))]
    else:
        # A CA file that cannot vouch for anything: the system bundle.
        argv += ["-CAfile", "/etc/ssl/certs/ca-certificates.crt"]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=120).stdout
    sigs = []
    for block in re.split(r"^Signature Index: \d+.*$", out, flags=re.M)[1:]:
        sig = {}
        m = re.search(r"^Message digest algorithm  : (\S+)", block, re.M)
        sig["alg"] = m.group(1) if m else None
        cur = re.search(r"^Current message digest    : (\S+)", block, re.M)
        calc = re.search(r"^Calculated message digest : (\S+)", block, re.M)
        sig["digest_ok"] = bool(cur and calc and cur.group(1) == calc.group(1))
        signer = block.split("Signer's certificate:", 1)
        if len(signer) == 2:
            s = signer[1]
            sig["subject"] = re.search(r"Subject: (.*)", s).group(1)
            sig["issuer"] = re.search(r"Issuer : (.*)", s).group(1)
            sig["serial"] = re.search(r"Serial : (\S+)", s).group(1).lower()
            sig["not_before"] = openssl_time(re.search(r"notBefore : (.*)", s).group(1))
            sig["not_after"] = openssl_time(re.search(r"notAfter : (.*)", s).group(1))
        m = re.search(r"^\s*Timestamp time: (.*)$", block, re.M)
        sig["timestamp"] = openssl_time(m.group(1)) if m else None
        m = re.search(r"^Signature verification: (\w+)", block, re.M)
        sig["verified"] = bool(m and m.group(1) == "ok")
        sigs.append(sig)
    return sigs


def cert_table(path):
    """The DER of each WIN_CERTIFICATE entry of type PKCS#7, and the Authenticode
    digests (SHA1, SHA256) of the file."""
    data = path.read_bytes()
    lfanew = struct.unpack_from("<I", data, 0x3C)[0]
    opt = lfanew + 24
    magic = struct.unpack_from("<H", data, opt)[0]
    entry = opt + (112 if magic == 0x20B else 96) + 8 * 4
    off, size = struct.unpack_from("<II", data, entry)
    ders, pos = [], off
    while pos + 8 <= off + size:
        length, _, kind = struct.unpack_from("<IHH", data, pos)
        if kind == 2:
            ders.append(data[pos + 8:pos + length])
        pos += (length + 7) & ~7
    hashed = data[:opt + 64] + data[opt + 68:entry] + data[entry + 8:off] + data[off + size:]
    return ders, {alg: hashlib.new(alg, hashed).digest() for alg in ("sha1", "sha256")}


def pkcs7_certs(der, tmp_path):
    """openssl pkcs7 -print_certs: each carried certificate's thumbprint, subject CN,
    issuer CN, serial, dates and CRL distribution points."""
    p7 = tmp_path / "sig.p7"
    p7.write_bytes(der)
    pem = subprocess.run(["openssl", "pkcs7", "-inform", "DER", "-in", str(p7), "-print_certs"],
                         capture_output=True, text=True, check=True).stdout
    certs = []
    for block in re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", pem,
                            re.S):
        x = subprocess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha1", "-serial",
                            "-subject", "-issuer", "-startdate", "-enddate",
                            "-nameopt", "compat", "-ext", "crlDistributionPoints"],
                           input=block, capture_output=True, text=True, check=True).stdout
        certs.append({
            "sha1": re.search(r"Fingerprint=(\S+)", x).group(1).replace(":", "").lower(),
            "serial": re.search(r"serial=(\S+)", x).group(1).lower(),
            "subject": cn(re.search(r"subject=(.*)", x).group(1)),
            "issuer": cn(re.search(r"issuer=(.*)", x).group(1)),
            "issuer_dn": re.search(r"issuer=(.*)", x).group(1),
            "subject_dn": re.search(r"subject=(.*)", x).group(1),
            "not_before": openssl_time(re.search(r"notBefore=(.*)", x).group(1)),
            "not_after": openssl_time(re.search(r"notAfter=(.*)", x).group(1)),
            "crl": re.findall(r"URI:(\S+)", x),
        })
    return certs


def strip_serial(s):
    """openssl prints the serial's DER bytes, maybe with its 00 sign byte."""
    return s[2:] if len(s) > 2 and s.startswith("00") and int(s[2], 16) >= 8 else s


def check_against_pkcs7(rec, der, tmp_path):
    """The signer fields of @rec against the certificates openssl finds in @der."""
    certs = pkcs7_certs(der, tmp_path)
    by_hash = {c["sha1"]: c for c in certs}
    assert rec["SignerHash"] in by_hash, rec["Path"]
    c = by_hash[rec["SignerHash"]]
    assert rec["Signer"] == c["subject"]
    assert rec["Issuer"] == c["issuer"]
    assert rec["CertificateSerialNumber"] == strip_serial(c["serial"])
    assert rec["CertificateCreationTime"] == c["not_before"]
    assert rec["CertificateExpirationTime"] == c["not_after"]
    assert rec["CrlDistributionPointUrls"] == c["crl"]
    issuers = [i["sha1"] for i in certs if i["subject_dn"] == c["issuer_dn"]]
    if issuers:
        assert rec["IssuerHash"] in issuers
    else:
        assert rec["IssuerHash"] is None


def check_against_osslsigncode(rec, ref, trusted_ref=True):
    assert rec["IsSigned"] == ref["digest_ok"]
    assert rec["SignatureDigestAlgorithm"] == ref["alg"]
    if "subject" in ref:
        assert rec["Signer"] == cn(ref["subject"])
        assert rec["Issuer"] == cn(ref["issuer"])
        assert rec["CertificateSerialNumber"] == strip_serial(ref["serial"])
        assert rec["CertificateCreationTime"] == ref["not_before"]
        assert rec["CertificateExpirationTime"] == ref["not_after"]
    assert rec["CertificateCountersignatureTime"] == ref["timestamp"]
    if trusted_ref:
        assert rec["IsTrusted"] == ref["verified"]


# --- fixtures -----------------------------------------------------------------------------

def test_every_fixture_agrees_with_osslsigncode_and_openssl(signed, tmp_path):
    d, manifest = signed
    names = sorted(manifest)
    rc, records = inspect(*(d / n for n in names), trust=d / "ca.crt")
    assert rc == 0
    assert len(records) == len(names)
    for name, rec in zip(names, records):
        want = manifest[name]
        path = d / name
        assert rec["FileType"] == ("pe32+" if ".x64." in name else "pe32"), name
        assert rec["IsSigned"] == want["signed"], (name, rec.get("SignatureError"))
        assert len(rec["NestedSignatures"]) == want["nested"], name
        if "reason" in want:
            assert rec["SignatureError"] == want["reason"], name
        else:
            assert "SignatureError" not in rec, name
        if not want.get("signer", True):
            # No signature could be read: no signer, no type.
            assert rec["Signer"] is None and rec["SignerHash"] is None, name
            assert rec["SignatureType"] is None, name
            continue
        assert rec["SignatureType"] == "Embedded"
        assert rec["IsTrusted"] == want["trusted"], name
        assert rec["IsRootSignerMicrosoft"] is False
        ders, _ = cert_table(path)
        check_against_pkcs7(rec, ders[0], tmp_path)
        if name.startswith("tampered"):
            continue  # osslsigncode stops at the mismatch; the signer fields stay ours
        refs = osslsigncode_verify(path, d / "ca.crt")
        assert len(refs) == 1 + want["nested"], name
        check_against_osslsigncode(rec, refs[0])
        for nested, ref in zip(rec["NestedSignatures"], refs[1:]):
            assert nested["Nested"] is True and nested["CertificateTableEntry"] == 0
            check_against_osslsigncode(nested, ref)


def test_fixture_specifics(signed):
    d, _ = signed
    names = ["sha256.x64.exe", "sha1.x86.exe", "leafonly.x64.exe", "selfsigned.x86.exe",
             "nested_sha256_sha1.x64.exe", "nested_sha1_sha256.x86.exe", "timestamped.x64.exe",
             "timestamped_legacy.x86.exe", "expired.x64.exe", "expired_timestamped.x86.exe",
             "tampered.x64.exe"]
    _, recs = inspect(*(d / n for n in names), trust=d / "ca.crt")
    r = dict(zip(names, recs))
    assert r["sha256.x64.exe"]["SignatureDigestAlgorithm"] == "SHA256"
    assert r["sha256.x64.exe"]["Signer"] == "Atera Networks Ltd"
    assert r["sha256.x64.exe"]["Issuer"] == "rmmhunt Test Root CA"
    # The serial's DER has a sign byte (its high bit is set): left out.
    assert r["sha256.x64.exe"]["CertificateSerialNumber"] == "8a1b2c3d4e5f60718293"
    assert r["sha256.x64.exe"]["CrlDistributionPointUrls"] == [
        "http://crl.rmmhunt.test/atera-test.crl"]
    assert r["sha1.x86.exe"]["SignatureDigestAlgorithm"] == "SHA1"
    # Leaf only: the issuer is not carried, yet the chain builds from the trust store.
    assert r["leafonly.x64.exe"]["IssuerHash"] is None
    assert r["leafonly.x64.exe"]["IsTrusted"] is True
    assert r["sha256.x64.exe"]["IssuerHash"] is not None
    # Self-signed: its own issuer, never trusted.
    s = r["selfsigned.x86.exe"]
    assert s["IsSigned"] and not s["IsTrusted"] and s["IssuerHash"] == s["SignerHash"]
    # Nested, both orders.
    assert [n["SignatureDigestAlgorithm"] for n in
            r["nested_sha256_sha1.x64.exe"]["NestedSignatures"]] == ["SHA1"]
    assert r["nested_sha1_sha256.x86.exe"]["SignatureDigestAlgorithm"] == "SHA1"
    assert [n["SignatureDigestAlgorithm"] for n in
            r["nested_sha1_sha256.x86.exe"]["NestedSignatures"]] == ["SHA256"]
    for n in ("timestamped.x64.exe", "timestamped_legacy.x86.exe"):
        t = r[n]["CertificateCountersignatureTime"]
        assert t is not None, n
        signed_at = datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ")
        assert abs((datetime.datetime.utcnow() - signed_at).total_seconds()) < 3600
    # Expired: untrusted now; stamped while valid: trusted, at the stamp's time.
    assert r["expired.x64.exe"]["IsSigned"] and not r["expired.x64.exe"]["IsTrusted"]
    e = r["expired_timestamped.x86.exe"]
    assert e["IsTrusted"] and e["CertificateCountersignatureTime"] == "2020-07-01T00:00:00.000000Z"
    # Changed after signing: the signer stays, IsSigned does not.
    t = r["tampered.x64.exe"]
    assert not t["IsSigned"] and t["Signer"] == "Atera Networks Ltd"
    assert t["SignerHash"] == r["sha256.x64.exe"]["SignerHash"]


def test_the_system_bundle_trusts_no_test_signature(signed):
    # Debian's CA bundle holds no code-signing roots, let alone the test CA.
    d, manifest = signed
    _, recs = inspect(*(d / n for n in sorted(manifest)))
    assert recs and all(not r["IsTrusted"] for r in recs)
    assert any(r["IsSigned"] for r in recs)


def test_no_hash_gives_the_same_signature(signed):
    d, _ = signed
    paths = [d / "nested_sha256_sha1.x64.exe", d / "tampered.x86.exe"]
    _, full = inspect(*paths, trust=d / "ca.crt")
    _, fast = inspect(*paths, trust=d / "ca.crt", args=("--no-hash",))
    for a, b in zip(full, fast):
        assert {k: a[k] for k in SIG_FIELDS} == {k: b[k] for k in SIG_FIELDS}
        assert a["NestedSignatures"] == b["NestedSignatures"]


def test_files_other_than_pe_have_no_signature_fields(tmp_path):
    script = tmp_path / "run.sh"
    script.write_text("#!/bin/sh\n")
    _, recs = inspect("/bin/true", script)
    for rec in recs:
        assert not set(SIG_FIELDS) & set(rec)


def test_every_truncation_of_a_signed_image_is_handled(signed, tmp_path):
    d, _ = signed
    data = (d / "nested_sha256_sha1.x86.exe").read_bytes()
    ders, _ = cert_table(d / "nested_sha256_sha1.x86.exe")
    table = len(data) - sum(len(x) + 8 for x in ders) - 16
    paths = []
    # Every 7th cut through the table (where the parsing is), some through the rest.
    for cut in list(range(max(table, 0), len(data), 7)) + list(range(0, table, 509)):
        p = tmp_path / f"cut{cut:06d}.exe"
        p.write_bytes(data[:cut])
        paths.append(p)
    rc, recs = inspect(*paths, trust=d / "ca.crt")
    assert rc in (0, 1)
    assert len(recs) == len(paths)
    for rec in recs:
        assert rec.get("IsSigned") in (None, False), rec["Path"]


# --- real signed EFI images -----------------------------------------------------------------

@pytest.fixture(scope="session")
def efi_images(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("efi")
    got = []
    for pkg in EFI_PACKAGES:
        p = subprocess.run(["apt-get", "download", pkg], cwd=tmp, capture_output=True,
                           timeout=300)
        if p.returncode == 0:
            got.append(pkg)
    debs = list(tmp.glob("*.deb"))
    if not debs:
        pytest.skip("apt-get download fetched none of " + ", ".join(EFI_PACKAGES))
    for deb in debs:
        subprocess.run(["dpkg-deb", "-x", str(deb), str(tmp / "root")], check=True)
    images = sorted(p for p in (tmp / "root").rglob("*")
                    if p.is_file() and p.read_bytes()[:2] == b"MZ")
    print("EFI packages used:", ", ".join(got))
    assert images
    return images


def test_real_efi_images_agree_with_osslsigncode_and_openssl(efi_images, tmp_path):
    rc, recs = inspect(*efi_images)
    assert rc == 0
    signed = 0
    for path, rec in zip(efi_images, recs):
        ders, digests = cert_table(path)
        sigs = [rec] + rec["NestedSignatures"]
        entries = [s for s in sigs if not s.get("Nested")]
        assert len(entries) == len(ders), path
        for sig, der in zip(entries, ders):
            sig = dict(sig, Path=str(path))
            check_against_pkcs7(sig, der, tmp_path)
            # The file's own digest in the signature's algorithm is in the DER exactly
            # when the signature is for this file.
            alg = sig["SignatureDigestAlgorithm"].lower()
            assert sig["IsSigned"] == (digests[alg] in der), path
            # Debian's bundle holds neither Microsoft's UEFI roots nor Debian's.
            assert sig["IsTrusted"] is False
            signed += sig["IsSigned"]
        refs = osslsigncode_verify(path)
        if len(ders) == 1:
            assert refs, path
            check_against_osslsigncode(rec, refs[0], trusted_ref=False)
            for nested, ref in zip(rec["NestedSignatures"], refs[1:]):
                check_against_osslsigncode(nested, ref, trusted_ref=False)
        else:
            # osslsigncode reads one entry only ("Corrupted attribute certificate table").
            assert refs == [], path
    assert signed >= len(efi_images)


def test_a_signed_image_is_read_once(signed, tmp_path):
    # The Authenticode digest rides along the SHA1/SHA256 pass: 32 MiB read once, not twice.
    d, _ = signed
    big = tmp_path / "big.exe"
    big.write_bytes((FIXTURE_OUT / "atera.x64.exe").read_bytes() + os.urandom(32 << 20))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
                    "-keyout", str(tmp_path / "k.pem"), "-out", str(tmp_path / "c.pem"),
                    "-subj", "/CN=Big Publisher"], check=True, capture_output=True)
    signed_big = tmp_path / "signed.exe"
    subprocess.run(["osslsigncode", "sign", "-certs", str(tmp_path / "c.pem"),
                    "-key", str(tmp_path / "k.pem"), "-in", str(big), "-out", str(signed_big)],
                   check=True, capture_output=True)
    trace = tmp_path / "strace.log"
    # LeakSanitizer cannot run under ptrace: an ASan build leaves leaks to the other tests.
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
    p = subprocess.run(["strace", "-f", "-e", "trace=pread64", "-o", str(trace), RMMHUNT,
                        "inspect", str(signed_big)], capture_output=True, timeout=120, env=env)
    assert p.returncode == 0
    rec = json.loads(p.stdout)
    assert rec["IsSigned"] and rec["Signer"] == "Big Publisher"
    assert rec["SHA256"] == hashlib.sha256(signed_big.read_bytes()).hexdigest()
    read = sum(int(m) for m in re.findall(r"pread64\(.*\) = (\d+)$", trace.read_text(), re.M))
    size = signed_big.stat().st_size
    assert size <= read < size + (1 << 20), (read, size)


def test_a_huge_sparse_signed_image_keeps_its_signer_undigested(signed, tmp_path):
    # Its table moved to 2 GiB, past what is digested (1 GiB): the signer is read, the
    # file is not, and inspect stays quick.
    d, _ = signed
    data = bytearray((d / "sha256.x64.exe").read_bytes())
    lfanew = struct.unpack_from("<I", data, 0x3C)[0]
    entry = lfanew + 24 + 112 + 8 * 4
    off, size = struct.unpack_from("<II", data, entry)
    table = bytes(data[off:off + size])
    struct.pack_into("<I", data, entry, 2 << 30)
    huge = tmp_path / "huge.exe"
    with open(huge, "wb") as f:
        f.write(data[:off])
        f.seek(2 << 30)
        f.write(table)
    rc, (rec,) = inspect(huge, trust=d / "ca.crt")
    assert rc == 0
    assert rec["Signer"] == "Atera Networks Ltd" and rec["IsSigned"] is False
    assert rec["SignatureError"] == "file too large to digest"
    assert rec["SHA256"] is None and rec["FileSize"] == (2 << 30) + size

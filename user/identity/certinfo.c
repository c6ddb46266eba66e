// SPDX-License-Identifier: MIT
/* Authenticode and package signatures as DeviceFileCertificateInfo columns: see certinfo.h. */
#include <errno.h>
#include <string.h>

#include "identity/certinfo.h"

static void kv_time(struct json_writer *w, const char *key, bool set, int64_t seconds)
{
	jw__key(w, key);
	if (set)
		jw__time(w, seconds * 1000000);
	else
		jw__null(w);
}

static void kv_str_or_null(struct json_writer *w, const char *key, bool set, const char *s)
{
	jw__key(w, key);
	jw__cstring(w, set ? s : NULL);
}

static void write_crl_urls(struct json_writer *w, const struct authenticode_sig *s)
{
	jw__array_begin(w);
	for (unsigned int i = 0; i < s->n_crl_urls; i++)
		jw__cstring(w, s->crl_urls[i]);
	jw__array_end(w);
}

void certinfo__write_signature(struct json_writer *w, const struct authenticode_sig *s,
			       const char *reason)
{
	bool cert = s && s->has_cert;

	jw__kv_bool(w, "IsSigned", s && s->is_signed);
	kv_str_or_null(w, "SignatureType", s, "Embedded");
	kv_str_or_null(w, "SignatureDigestAlgorithm", s && s->digest_alg[0],
		       s ? s->digest_alg : NULL);
	kv_str_or_null(w, "Signer", cert && s->signer[0], s ? s->signer : NULL);
	kv_str_or_null(w, "SignerHash", cert, s ? s->signer_hash : NULL);
	kv_str_or_null(w, "Issuer", cert && s->issuer[0], s ? s->issuer : NULL);
	kv_str_or_null(w, "IssuerHash", cert && s->issuer_hash[0], s ? s->issuer_hash : NULL);
	kv_str_or_null(w, "CertificateSerialNumber", cert, s ? s->serial : NULL);
	kv_time(w, "CertificateCreationTime", cert, cert ? s->not_before : 0);
	kv_time(w, "CertificateExpirationTime", cert, cert ? s->not_after : 0);
	kv_time(w, "CertificateCountersignatureTime", s && s->has_countersign,
		s ? s->countersign_time : 0);
	jw__key(w, "CrlDistributionPointUrls");
	if (cert)
		write_crl_urls(w, s);
	else
		jw__null(w);
	jw__kv_bool(w, "IsTrusted", s && s->is_trusted);
	jw__kv_bool(w, "IsRootSignerMicrosoft", s && s->is_root_microsoft);
	if (s)
		reason = s->reason;
	if (reason)
		jw__kv_str(w, "SignatureError", reason);
}

static void write_nested_array(struct json_writer *w, const struct authenticode_info *info)
{
	jw__array_begin(w);
	for (unsigned int i = 1; i < info->n_sigs; i++) {
		jw__object_begin(w);
		jw__kv_long(w, "CertificateTableEntry", info->sig[i].entry);
		jw__kv_bool(w, "Nested", info->sig[i].nested);
		certinfo__write_signature(w, &info->sig[i], NULL);
		jw__object_end(w);
	}
	jw__array_end(w);
}

void certinfo__write_nested(struct json_writer *w, const struct authenticode_info *info)
{
	jw__key(w, "NestedSignatures");
	write_nested_array(w, info);
}

int certinfo__fill(const struct authenticode_info *info, struct event *cert)
{
	const char *signers[AUTHENTICODE_MAX_SIGNATURES];
	const struct authenticode_sig *s = &info->sig[0];
	struct json_writer w;
	size_t nsigners = 0;
	int err = 0;

	if (!info->n_sigs)
		return -ENOENT;
	jw__init(&w);
	event__set_long(cert, CERT_IS_SIGNED, s->is_signed);
	err = event__set_str(cert, CERT_SIGNATURE_TYPE, "Embedded");
	if (s->has_cert) {
		if (s->signer[0])
			err = err ?: event__set_str(cert, CERT_SIGNER, s->signer);
		err = err ?: event__set_str(cert, CERT_SIGNER_HASH, s->signer_hash);
		if (s->issuer[0])
			err = err ?: event__set_str(cert, CERT_ISSUER, s->issuer);
		if (s->issuer_hash[0])
			err = err ?: event__set_str(cert, CERT_ISSUER_HASH, s->issuer_hash);
		err = err ?: event__set_str(cert, CERT_CERTIFICATE_SERIAL_NUMBER, s->serial);
		event__set_long(cert, CERT_CERTIFICATE_CREATION_TIME, s->not_before * 1000000);
		event__set_long(cert, CERT_CERTIFICATE_EXPIRATION_TIME, s->not_after * 1000000);
		/* Defender's column is a string: the JSON array of the URLs */
		write_crl_urls(&w, s);
		err = err ?: (w.failed ? -ENOMEM : 0);
		err = err ?: event__set_strn(cert, CERT_CRL_DISTRIBUTION_POINT_URLS, w.buf, w.len);
	}
	if (s->has_countersign)
		event__set_long(cert, CERT_CERTIFICATE_COUNTERSIGNATURE_TIME,
				s->countersign_time * 1000000);
	event__set_long(cert, CERT_IS_TRUSTED, s->is_trusted);
	event__set_long(cert, CERT_IS_ROOT_SIGNER_MICROSOFT, s->is_root_microsoft);
	jw__reset(&w);
	write_nested_array(&w, info);
	err = err ?: (w.failed ? -ENOMEM : 0);
	err = err ?: event__set_strn(cert, CERT_NESTED_SIGNATURES, w.buf, w.len);
	for (unsigned int i = 0; i < info->n_sigs; i++)
		if (info->sig[i].has_cert && info->sig[i].signer[0])
			signers[nsigners++] = info->sig[i].signer;
	err = err ?: event__set_list(cert, CERT_SIGNERS, signers, nsigners);
	jw__free(&w);
	return err;
}

/* ---- package signatures ---- */

void certinfo__write_package_signature(struct json_writer *w, const struct pkg_sig *s)
{
	jw__kv_bool(w, "IsSigned", s->is_signed);
	jw__kv_str(w, "SignatureType", "Package");
	kv_str_or_null(w, "SignatureDigestAlgorithm", s->digest_alg[0], s->digest_alg);
	kv_str_or_null(w, "Signer", s->has_key && s->signer[0], s->signer);
	kv_str_or_null(w, "SignerHash", s->fingerprint[0], s->fingerprint);
	kv_str_or_null(w, "Issuer", s->has_key && s->issuer[0], s->issuer);
	kv_str_or_null(w, "IssuerHash", s->has_key, s->issuer_fpr);
	kv_str_or_null(w, "CertificateSerialNumber", s->keyid[0], s->keyid);
	kv_time(w, "CertificateCreationTime", s->has_created, s->created);
	kv_time(w, "CertificateExpirationTime", false, 0);
	kv_time(w, "CertificateCountersignatureTime", false, 0);
	jw__key(w, "CrlDistributionPointUrls");
	jw__null(w);
	jw__kv_bool(w, "IsTrusted", s->is_signed);
	jw__kv_bool(w, "IsRootSignerMicrosoft", false);
	if (s->reason)
		jw__kv_str(w, "SignatureError", s->reason);
}

static void write_package_nested_array(struct json_writer *w, const struct pkg_sigs *sigs)
{
	jw__array_begin(w);
	for (unsigned int i = 1; i < sigs->n; i++) {
		jw__object_begin(w);
		certinfo__write_package_signature(w, &sigs->sig[i]);
		jw__object_end(w);
	}
	jw__array_end(w);
}

void certinfo__write_package_nested(struct json_writer *w, const struct pkg_sigs *sigs)
{
	jw__key(w, "NestedSignatures");
	write_package_nested_array(w, sigs);
}

int certinfo__fill_package(const struct pkg_sigs *sigs, struct event *cert)
{
	const char *signers[PKG_MAX_SIGS];
	const struct pkg_sig *s = &sigs->sig[0];
	struct json_writer w;
	size_t nsigners = 0;
	int err;

	if (!sigs->n)
		return -ENOENT;
	event__set_long(cert, CERT_IS_SIGNED, s->is_signed);
	err = event__set_str(cert, CERT_SIGNATURE_TYPE, "Package");
	if (s->has_key && s->signer[0])
		err = err ?: event__set_str(cert, CERT_SIGNER, s->signer);
	if (s->fingerprint[0])
		err = err ?: event__set_str(cert, CERT_SIGNER_HASH, s->fingerprint);
	if (s->has_key && s->issuer[0])
		err = err ?: event__set_str(cert, CERT_ISSUER, s->issuer);
	if (s->has_key)
		err = err ?: event__set_str(cert, CERT_ISSUER_HASH, s->issuer_fpr);
	if (s->keyid[0])
		err = err ?: event__set_str(cert, CERT_CERTIFICATE_SERIAL_NUMBER, s->keyid);
	if (s->has_created)
		event__set_long(cert, CERT_CERTIFICATE_CREATION_TIME, s->created * 1000000);
	event__set_long(cert, CERT_IS_TRUSTED, s->is_signed);
	event__set_long(cert, CERT_IS_ROOT_SIGNER_MICROSOFT, 0);
	jw__init(&w);
	write_package_nested_array(&w, sigs);
	err = err ?: (w.failed ? -ENOMEM : 0);
	err = err ?: event__set_strn(cert, CERT_NESTED_SIGNATURES, w.buf, w.len);
	jw__free(&w);
	for (unsigned int i = 0; i < sigs->n; i++)
		if (sigs->sig[i].has_key && sigs->sig[i].signer[0])
			signers[nsigners++] = sigs->sig[i].signer;
	return err ?: event__set_list(cert, CERT_SIGNERS, signers, nsigners);
}

/* SPDX-License-Identifier: MIT */
/*
 * A file's Authenticode signatures (authenticode.h), or its package's
 * (package.h), as Defender reports them: the columns of a
 * DeviceFileCertificateInfo record, and the JSON object of one
 * signature that `rmmhunt inspect` prints and the record's NestedSignatures
 * column lists.
 */
#ifndef RMMHUNT_CERTINFO_H
#define RMMHUNT_CERTINFO_H

#include "base/json_writer.h"
#include "event.h"
#include "identity/authenticode.h"
#include "identity/package.h"

/*
 * The signature columns of a DeviceFileCertificateInfo record (IsSigned
 * through NestedSignatures, and Signers) into @cert, which must be a
 * certificate record: from @info's first signature, the others listed in
 * NestedSignatures, every signer in Signers. Returns 0, -ENOENT when @info
 * holds no signature (then nothing is set), or -ENOMEM.
 */
int certinfo__fill(const struct authenticode_info *info, struct event *cert);

/*
 * The fields of signature @s as members of the object open in @w: IsSigned,
 * SignatureType, SignatureDigestAlgorithm, Signer, ..., IsRootSignerMicrosoft,
 * and SignatureError when it is not signed. @s NULL: no signature could be
 * read, for @reason.
 */
void certinfo__write_signature(struct json_writer *w, const struct authenticode_sig *s,
			       const char *reason);

/* "NestedSignatures": every signature of @info but the first, as an array member of @w. */
void certinfo__write_nested(struct json_writer *w, const struct authenticode_info *info);

/*
 * The signature columns of certificate record @cert from a package's
 * signatures (SignatureType "Package"): sig[0] on top, the others in
 * NestedSignatures. Signer is the key's user id and SignerHash its
 * fingerprint when the package database holds the key; the key id is
 * CertificateSerialNumber either way; IsTrusted is IsSigned (the database's
 * keys are what rpm trusts). 0, -ENOENT (no signature), -ENOMEM.
 */
int certinfo__fill_package(const struct pkg_sigs *sigs, struct event *cert);

/* certinfo__write_signature for a package signature. */
void certinfo__write_package_signature(struct json_writer *w, const struct pkg_sig *s);

/* "NestedSignatures" of a package: every signature of @sigs but the first. */
void certinfo__write_package_nested(struct json_writer *w, const struct pkg_sigs *sigs);

#endif

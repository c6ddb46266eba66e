/* SPDX-License-Identifier: MIT */
/*
 * A file's Authenticode signatures (authenticode.h) as Defender reports them:
 * the columns of a DeviceFileCertificateInfo record, and the JSON object of one
 * signature that `rmmhunt inspect` prints and the record's NestedSignatures
 * column lists.
 */
#ifndef RMMHUNT_CERTINFO_H
#define RMMHUNT_CERTINFO_H

#include "base/json_writer.h"
#include "event.h"
#include "identity/authenticode.h"

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

#endif

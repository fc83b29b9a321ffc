/* AWS Signature Version 4 verification for the EC2 Query API (service "ec2").
 *
 * Both forms are accepted: the Authorization header the aws CLI and boto3 send
 * (AWS4-HMAC-SHA256 Credential=AKID/yyyymmdd/region/ec2/aws4_request,
 * SignedHeaders=..., Signature=...), and the query-string form
 * (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-SignedHeaders,
 * X-Amz-Signature).  The canonical request is rebuilt from what arrived,
 * byte for byte as vpc-semantics.md section 2.5 describes, and the signature
 * compared in constant time.  Pure computation: no I/O, no global state. */
#ifndef VPCD_API_SIGV4_H
#define VPCD_API_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/error.h"

enum {
    SIGV4_MAX_SKEW_SEC = 15 * 60,   /* AWS refuses requests more than 15 min off */
    SIGV4_KEY_SIZE = 128,
    SIGV4_REGION_SIZE = 32,
};

/* The request as received.  'header' returns the value of a header by its
 * lower-case name, or NULL if absent (several same-named headers already
 * joined with ","). */
struct sigv4_request {
    const char *method;             /* "POST" or "GET" */
    const char *path;               /* URL path as received, e.g. "/" */
    const char *query;              /* raw query string without '?', "" if none */
    const void *body;
    size_t body_size;
    const char *(*header)(void *ctx, const char *lower_name);
    void *ctx;
};

/* What the signature claims, filled by sigv4_parse(). */
struct sigv4_credential {
    char access_key[SIGV4_KEY_SIZE];
    char region[SIGV4_REGION_SIZE];
    char date[9];                   /* yyyymmdd of the credential scope */
    char amz_date[17];              /* X-Amz-Date, yyyymmddThhmmssZ */
    /* Private to sigv4.c: where the signature and signed headers were found. */
    char signed_headers[512];
    char signature[65];
    bool in_query;
};

/* Finds and parses the signature of 'req' (header form first, else query
 * form).  Errors: MissingAuthenticationToken when there is none at all;
 * IncompleteSignature when parts are missing or malformed; the service in the
 * scope must be "ec2"; X-Amz-Date must be well formed.  Returns 0 or -1 with
 * 'err' filled. */
int sigv4_parse(const struct sigv4_request *, struct sigv4_credential *, struct error *err);

/* Checks 'cred' against 'secret' at wall time 'now' (seconds since the
 * epoch): RequestExpired if X-Amz-Date is more than SIGV4_MAX_SKEW_SEC away
 * from 'now' (or the scope date differs from X-Amz-Date's date);
 * SignatureDoesNotMatch if the signature is wrong.  Returns 0 or -1. */
int sigv4_verify(const struct sigv4_request *, const struct sigv4_credential *,
                 const char *secret, int64_t now, struct error *err);

/* Computes the signature hex string for 'req' as 'cred' describes it (used by
 * sigv4_verify and by tests and benchmarks that sign their own requests).
 * 'cred->signed_headers' names the headers to sign. */
void sigv4_sign(const struct sigv4_request *, const struct sigv4_credential *,
                const char *secret, char out_hex[65]);

#endif

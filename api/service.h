/* The EC2 Query service, independent of HTTP: one request in (method, path,
 * query, headers, body), one response out (status, XML).  It authenticates
 * (SigV4 against the known key pairs), decodes against the action's shape and
 * runs the handler on the model.  The model's changes stay staged until
 * api_service_commit() writes all that is staged in one durable transaction
 * (group commit): the caller holds back every response given since the last
 * commit, and sends them only once that commit succeeded, so nothing is
 * acknowledged before it is durable and one fsync serves many requests.
 * Control thread only: requests are handled one at a time. */
#ifndef VPCD_API_SERVICE_H
#define VPCD_API_SERVICE_H

#include <stdbool.h>
#include <stddef.h>

#include "api/sigv4.h"
#include "lib/buf.h"

struct model;
struct store;
struct api_service;

enum {
    API_MAX_BODY_SIZE = 1024 * 1024,    /* bytes; larger requests are refused */
    API_MAX_KEY_PAIRS = 1000,
    API_MAX_CLIENT_TOKEN_LEN = 64,
    API_MAX_IDEMPOTENT_REPLIES = 10000, /* ClientTokens remembered; the oldest goes first */
};

struct api_response {
    int status;
    struct buf body;                    /* caller initialises and frees */
    const char *action;                 /* for the request log; static or NULL */
    const char *error_code;             /* NULL on success */
};

/* Creates the service over 'model' and 'store' (both borrowed; the service
 * reloads the model from the store if a commit fails).  Key pairs: "test" /
 * "test" for 'default_account', plus every line "ACCESS_KEY SECRET ACCOUNT" of
 * '<data_dir>/credentials' if that file exists.  Returns NULL with '*error'
 * set (caller frees). */
struct api_service *api_service_create(struct model **model, struct store *store,
                                       const char *data_dir, const char *default_account,
                                       char **error);
void api_service_destroy(struct api_service *);

/* Handles one request; fills 'resp' (status and XML body).  The response
 * must not be sent before the next api_service_commit() succeeds if
 * api_service_has_staged() is true afterwards. */
void api_service_handle(struct api_service *, const struct sigv4_request *,
                        struct api_response *resp);

/* Whether changes are staged (some response waits for a commit). */
bool api_service_has_staged(const struct api_service *);

/* Writes every staged change in one transaction.  Returns 0, or -1 after
 * putting the model back to what the store holds: every response given since
 * the last commit must then be replaced by api_service_commit_failed(). */
int api_service_commit(struct api_service *);
void api_service_commit_failed(struct api_response *);

#endif

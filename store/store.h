/* Persistence of the model in SQLite (WAL, synchronous=FULL).
 *
 * One row per resource and per scope, keyed by id (or scope key), holding the
 * resource as a JSON document written by walking its schema (model/schema.h).
 * A request's changes are written in one transaction before the client is
 * answered, so after a crash at any moment every acknowledged change is there
 * and nothing half-done is.  Control thread only. */
#ifndef VPCD_STORE_STORE_H
#define VPCD_STORE_STORE_H

#include <stddef.h>

struct model;
struct store;

/* Opens (creating if needed) the database in directory 'dir'.  Returns 0, or
 * a negative errno with '*error' set to a message (caller frees). */
int store_open(const char *dir, struct store **, char **error);
void store_close(struct store *);           /* accepts NULL */

/* Loads every stored object into 'model', which must be empty, and rebuilds
 * the model's derived state.  Returns 0 or -1 with '*error' set (caller frees). */
int store_load(struct store *, struct model *, char **error);

/* Writes the current state of each key in 'keys' (present in the model:
 * upsert; absent: delete) in one durable transaction.  Returns 0 or -1 with
 * '*error' set (caller frees); on failure nothing was written. */
int store_commit(struct store *, const struct model *, char *const *keys, size_t n_keys,
                 char **error);

#endif

/* The HTTP front end (libmicrohttpd): accepts connections with keep-alive,
 * gathers each request's body (at most API_MAX_BODY_SIZE bytes) and hands it
 * to the service.  It runs on the caller's thread (api_http_run), so requests
 * are handled one at a time and the model needs no lock.
 *
 * Group commit: each turn of the loop handles every request that is ready;
 * responses given while changes are staged are held (the connection is
 * suspended), then one durable commit covers the whole turn and the held
 * responses go out (or, if the commit failed, InternalError in their place). */
#ifndef VPCD_API_HTTP_H
#define VPCD_API_HTTP_H

#include <signal.h>

struct api_service;
struct api_http;

enum {
    HTTP_MAX_CONNECTIONS = 1024,
    HTTP_IDLE_TIMEOUT_SEC = 120,
};

/* Listens on 'listen' ("ADDR:PORT", IPv4) and serves 'svc'.  Returns NULL
 * with '*error' set (caller frees). */
struct api_http *api_http_start(struct api_service *svc, const char *listen, char **error);
/* Serves until '*stop' becomes non-zero (a signal handler sets it).  After
 * each turn (at least every 200 ms) it calls 'tick' (may be NULL) with 'ctx';
 * what the tick changes in the model is committed at the next turn. */
void api_http_run(struct api_http *, volatile sig_atomic_t *stop, void (*tick)(void *ctx),
                  void *ctx);
/* Commits and answers what is held, then closes every connection. */
void api_http_stop(struct api_http *);      /* accepts NULL */

#endif

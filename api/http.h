/* The HTTP front end (libmicrohttpd): accepts connections with keep-alive,
 * gathers each request's body (at most API_MAX_BODY_SIZE bytes), and hands
 * the request to the service on libmicrohttpd's single internal thread, so
 * requests run one at a time and the model needs no lock. */
#ifndef VPCD_API_HTTP_H
#define VPCD_API_HTTP_H

struct api_service;
struct api_http;

enum {
    HTTP_MAX_CONNECTIONS = 1024,
    HTTP_IDLE_TIMEOUT_SEC = 120,
};

/* Listens on 'listen' ("ADDR:PORT", IPv4) and serves 'svc'.  Returns NULL
 * with '*error' set (caller frees). */
struct api_http *api_http_start(struct api_service *svc, const char *listen, char **error);
/* Stops accepting, finishes the request in progress, closes connections. */
void api_http_stop(struct api_http *);      /* accepts NULL */

#endif

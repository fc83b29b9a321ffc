/* http.h: libmicrohttpd glue. */
#include "api/http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/service.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/util.h"

LOG_MODULE(http);

struct pending;

struct api_http {
    struct MHD_Daemon *daemon;
    struct api_service *svc;
    struct api_response resp;
    struct pending **held;          /* suspended until the next commit */
    size_t n_held, cap_held;
};

/* Per request: the body gathered so far. */
struct pending {
    char *uri;              /* as received, with the query string */
    bool started;
    struct buf body;
    bool too_large;
    /* A response held for the commit, sent when the connection resumes. */
    struct MHD_Connection *conn;
    bool held;
    int status;
    struct buf response;
};

static const char *
header(void *ctx, const char *lower_name)
{
    return MHD_lookup_connection_value(ctx, MHD_HEADER_KIND, lower_name);
}

/* libmicrohttpd decodes the query string into arguments, which loses what
 * SigV4 signs; the URI log callback sees the request line as sent, so the
 * request's state is created there with a copy of it. */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void) cls;
    (void) conn;
    struct pending *p = xzalloc(sizeof *p);
    p->uri = xstrndup(uri, MIN(strlen(uri), (size_t) API_MAX_BODY_SIZE));
    buf_init(&p->body);
    buf_init(&p->response);
    return p;
}

static enum MHD_Result
send_response(struct MHD_Connection *conn, int status, const char *body, size_t size)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(size, (void *) body,
                                                             MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", "text/xml;charset=UTF-8");
    MHD_add_response_header(r, "Server", "vpcd");
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned) status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
    struct api_http *http = cls;
    struct pending *p = *con_cls;
    (void) version;

    if (p->held) {
        /* Resumed after the commit. */
        p->held = false;
        return send_response(conn, p->status, p->response.data, p->response.len);
    }
    if (!p->started) {
        p->started = true;
        return MHD_YES;
    }
    if (*upload_size) {
        if (p->body.len + *upload_size > API_MAX_BODY_SIZE) {
            p->too_large = true;
        } else {
            buf_put(&p->body, upload_data, *upload_size);
        }
        *upload_size = 0;
        return MHD_YES;
    }

    if (p->too_large) {
        static const char body[] =
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error>"
            "<Code>RequestEntityTooLarge</Code><Message>Request body is larger than the "
            "1048576 bytes vpcd accepts.</Message></Error></Errors><RequestID>"
            "00000000-0000-0000-0000-000000000000</RequestID></Response>";
        LOG_INFO("- 413 RequestEntityTooLarge");
        return send_response(conn, 413, body, sizeof body - 1);
    }

    char *q = strchr(p->uri, '?');
    if (q) {
        *q++ = '\0';
    }
    (void) url;
    struct sigv4_request req = {
        .method = method,
        .path = p->uri,
        .query = q ? q : "",
        .body = p->body.data ? p->body.data : "",
        .body_size = p->body.len,
        .header = header,
        .ctx = conn,
    };
    api_service_handle(http->svc, &req, &http->resp);
    if (!http->n_held && !api_service_has_staged(http->svc)) {
        return send_response(conn, http->resp.status, http->resp.body.data,
                             http->resp.body.len);
    }
    /* Something is staged: this answer (a read too, as it may show what is
     * not yet durable) waits for the commit at the end of this turn. */
    p->held = true;
    p->conn = conn;
    p->status = http->resp.status;
    buf_clear(&p->response);
    buf_put(&p->response, http->resp.body.data, http->resp.body.len);
    if (http->n_held == http->cap_held) {
        http->cap_held = http->cap_held ? http->cap_held * 2 : 16;
        http->held = xrealloc(http->held, http->cap_held * sizeof *http->held);
    }
    http->held[http->n_held++] = p;
    MHD_suspend_connection(conn);
    return MHD_YES;
}

/* One commit for everything handled this turn, then the held answers go. */
static void
flush(struct api_http *http)
{
    if (!http->n_held && !api_service_has_staged(http->svc)) {
        return;
    }
    bool failed = api_service_has_staged(http->svc) && api_service_commit(http->svc);
    for (size_t i = 0; i < http->n_held; i++) {
        struct pending *p = http->held[i];
        if (failed) {
            api_service_commit_failed(&http->resp);
            p->status = http->resp.status;
            buf_clear(&p->response);
            buf_put(&p->response, http->resp.body.data, http->resp.body.len);
        }
        MHD_resume_connection(p->conn);
    }
    http->n_held = 0;
}

void
api_http_run(struct api_http *http, volatile sig_atomic_t *stop, void (*tick)(void *ctx),
             void *ctx)
{
    while (!*stop) {
        /* Wakes for traffic, for resumed connections and at least every
         * 200 ms to look at 'stop'. */
        MHD_run_wait(http->daemon, 200);
        flush(http);
        if (tick) {
            tick(ctx);
        }
    }
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
    (void) cls;
    (void) conn;
    (void) toe;
    struct pending *p = *con_cls;
    if (p) {
        buf_uninit(&p->body);
        buf_uninit(&p->response);
        free(p->uri);
        free(p);
        *con_cls = NULL;
    }
}

static bool
parse_listen(const char *listen, struct sockaddr_in *sin)
{
    char host[64];
    const char *colon = strrchr(listen, ':');
    if (!colon || (size_t) (colon - listen) >= sizeof host) {
        return false;
    }
    memcpy(host, listen, (size_t) (colon - listen));
    host[colon - listen] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535 || colon[1] == '\0') {
        return false;
    }
    memset(sin, 0, sizeof *sin);
    sin->sin_family = AF_INET;
    sin->sin_port = htons((uint16_t) port);
    if (!strcmp(host, "localhost")) {
        strcpy(host, "127.0.0.1");
    }
    return inet_pton(AF_INET, host, &sin->sin_addr) == 1;
}

struct api_http *
api_http_start(struct api_service *svc, const char *listen, char **error)
{
    struct sockaddr_in sin;
    if (!parse_listen(listen, &sin)) {
        *error = xasprintf("%s: expected ADDRESS:PORT (IPv4)", listen);
        return NULL;
    }
    struct api_http *http = xzalloc(sizeof *http);
    http->svc = svc;
    buf_init(&http->resp.body);
    http->daemon = MHD_start_daemon(
        MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME, ntohs(sin.sin_port), NULL, NULL,
        on_request, http, MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &sin,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, http, MHD_OPTION_URI_LOG_CALLBACK, on_uri,
        http, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned) HTTP_MAX_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned) HTTP_IDLE_TIMEOUT_SEC, MHD_OPTION_END);
    if (!http->daemon) {
        *error = xasprintf("%s: cannot listen (address in use, or not permitted)", listen);
        buf_uninit(&http->resp.body);
        free(http);
        return NULL;
    }
    return http;
}

void
api_http_stop(struct api_http *http)
{
    if (!http) {
        return;
    }
    /* libmicrohttpd refuses to stop with suspended connections: answer them. */
    flush(http);
    for (int i = 0; i < 10; i++) {
        MHD_run_wait(http->daemon, 10);
    }
    MHD_stop_daemon(http->daemon);
    free(http->held);
    buf_uninit(&http->resp.body);
    free(http);
}

/* The data plane: instances' namespaces and ports, and the thread that moves
 * their frames through pipeline_process() (docs/dataplane.md).
 *
 * The control thread calls dataplane_sync() after every commit and when an
 * instance's state changes with time: it compiles a new snapshot, makes the
 * namespaces and TAP ports of running instances (and removes those of
 * stopped and terminated ones), runs first-start UserData, and publishes a
 * new generation (snapshot + port fds) with one atomic store.  The data
 * thread picks it up at the top of its next turn; a generation is freed once
 * the data thread has moved past it (quiescent-state based reclamation).
 *
 * Without the privileges namespaces need, dataplane_create() returns NULL and
 * says why once; vpcd then serves the API without networking. */
#ifndef VPCD_DATAPLANE_DATAPLANE_H
#define VPCD_DATAPLANE_DATAPLANE_H

#include <stdint.h>

#include "net/ipaddr.h"

struct dataplane;
struct model;

enum {
    DATAPLANE_CONNTRACK_CAPACITY = 262144,  /* tracked flows, all ENIs */
    DATAPLANE_BATCH = 32,                   /* frames read from one port per turn */
    DATAPLANE_FRAME_SIZE = 65536 + 64,
    DATAPLANE_MAX_PORTS = 4096,
    DATAPLANE_CONSOLE_MAX = 65536,          /* bytes of UserData output kept */
};

struct dataplane_config {
    struct ip4_prefix public_pool;
    const char *internet_ns;        /* the namespace standing for the internet */
    bool epoll_io;                  /* read()/write() per frame even where io_uring works */
};

/* Starts the data plane (the internet namespace, the data thread).  Returns
 * NULL with '*why' (static text) when it cannot run here. */
struct dataplane *dataplane_create(const struct dataplane_config *, const char **why);
/* Stops the thread and removes every namespace and port it made. */
void dataplane_destroy(struct dataplane *);     /* accepts NULL */

/* Control thread: brings namespaces, ports and the published snapshot in
 * line with 'model' as of 'now'; records UserData output in the model (a
 * change the caller commits).  Returns the milliseconds the snapshot
 * compile took: the part of a sync that grows with the model (making
 * namespaces is paid once per instance). */
uint64_t dataplane_sync(struct dataplane *, struct model *, int64_t now);

/* Control thread, cheap, any time: closes the fds and frees the snapshots
 * the data thread no longer uses (a terminated instance's TAP keeps its
 * namespace alive until then). */
void dataplane_reclaim(struct dataplane *);

/* When dataplane_sync() should next run without a request (an instance's
 * state changes with time, or UserData output is pending), or 0. */
int64_t dataplane_next_sync(const struct dataplane *, const struct model *, int64_t now);

#endif

/* ring: the data thread's frame I/O through io_uring (docs/dataplane.md
 * "Waiting and I/O").
 *
 * Each watched fd (a TAP) has one multishot read armed on it: the kernel
 * fills buffers from a provided-buffer ring as frames arrive and posts one
 * completion per frame, so a turn of the loop costs one io_uring_enter for
 * every frame that arrived and every write queued since the last turn,
 * where read()/write() cost two system calls per frame.  Measured with the
 * same loop around a bare TAP pump here: 585k vs 88k small UDP packets/s.
 *
 * A frame handed to the callback lives in a ring buffer: the callback says
 * where it goes (an fd and a length, the buffer is then written from and
 * recycled when the write completes) or -1 (recycled at once).  Data thread
 * only; nothing here is thread-safe. */
#ifndef VPCD_DATAPLANE_RING_H
#define VPCD_DATAPLANE_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    RING_BUFFERS = 256,             /* frames in flight (read, being decided or written) */
    RING_ENTRIES = 1024,            /* submission queue */
    RING_MAX_FD = 65536,
};

struct ring;

/* Makes a ring whose buffers hold 'buffer_size' bytes each.  NULL with
 * '*why' (static text) when this kernel cannot (io_uring disabled or
 * missing, no multishot read: Linux < 6.7). */
struct ring *ring_create(size_t buffer_size, const char **why);
void ring_destroy(struct ring *);                 /* accepts NULL */

/* Starts reading frames from 'fd' (< RING_MAX_FD) / stops: completions
 * still in flight for an unwatched fd are dropped, even if the number is
 * reused by a new fd watched later. */
void ring_watch(struct ring *, int fd);
void ring_unwatch(struct ring *, int fd);

/* Decides a frame read from 'fd': 'buf' holds 'len' bytes and has room
 * for the ring's buffer size.  Returns the fd to write '*out_len' bytes of
 * 'buf' to, or -1 to drop it. */
typedef int ring_frame_fn(void *ctx, int fd, uint8_t *buf, size_t len, size_t *out_len);

/* Submits what is queued, waits up to 'timeout_ms' (0: not at all) for
 * completions and handles every one that is there.  Returns the number of
 * frames read. */
size_t ring_run(struct ring *, int timeout_ms, ring_frame_fn *, void *ctx);

/* Submits what is queued now: before the caller stops using the fds its
 * queued writes name (they are resolved at submission). */
void ring_flush(struct ring *);

/* Writes that completed in full / short or failed, since creation. */
void ring_counts(const struct ring *, uint64_t *written, uint64_t *unwritable);

#endif

/* ring.h: frame I/O through io_uring with multishot reads. */
#include "dataplane/ring.h"

#include <errno.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "lib/log.h"
#include "lib/util.h"

LOG_MODULE(ring);

#ifndef IORING_OP_READ_MULTISHOT
#define IORING_OP_READ_MULTISHOT 49     /* Linux 6.7; liburing 2.3's headers predate it */
#endif

enum { BUFFER_GROUP = 0 };

/* user_data: what a completion is for. */
enum op { OP_READ = 1, OP_WRITE = 2, OP_CANCEL = 3 };
#define UD(OP, ARM, LOW) ((uint64_t) (OP) << 60 | (uint64_t) ((ARM) & 0x0fffffffu) << 32 | (LOW))
#define UD_OP(UD) ((unsigned) ((UD) >> 60))
#define UD_ARM(UD) ((uint32_t) ((UD) >> 32) & 0x0fffffffu)
#define UD_LOW(UD) ((uint32_t) (UD))

struct ring {
    struct io_uring uring;
    struct io_uring_buf_ring *buf_ring;
    size_t buf_ring_bytes;
    uint8_t *buffers;
    size_t buffer_size;
    uint32_t write_len[RING_BUFFERS];
    /* Per fd: whether it is watched, and the generation of its read
     * request: completions of an older one are stale. */
    bool *watched;
    uint32_t *arm;
    uint64_t written, unwritable;
};

static struct io_uring_sqe *
get_sqe(struct ring *r)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&r->uring);
    if (!sqe) {
        io_uring_submit(&r->uring);
        sqe = io_uring_get_sqe(&r->uring);
        ASSERT(sqe);
    }
    return sqe;
}

static void
recycle(struct ring *r, unsigned bid)
{
    io_uring_buf_ring_add(r->buf_ring, r->buffers + (size_t) bid * r->buffer_size,
                          (unsigned) r->buffer_size, (unsigned short) bid,
                          io_uring_buf_ring_mask(RING_BUFFERS), 0);
    io_uring_buf_ring_advance(r->buf_ring, 1);
}

static void
arm_read(struct ring *r, int fd)
{
    struct io_uring_sqe *sqe = get_sqe(r);
    io_uring_prep_rw(IORING_OP_READ, sqe, fd, NULL, 0, 0);
    sqe->opcode = IORING_OP_READ_MULTISHOT;
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = BUFFER_GROUP;
    sqe->user_data = UD(OP_READ, r->arm[fd], (uint32_t) fd);
}

struct ring *
ring_create(size_t buffer_size, const char **why)
{
    struct io_uring_probe *probe = io_uring_get_probe();
    bool multishot = probe && io_uring_opcode_supported(probe, IORING_OP_READ_MULTISHOT);
    io_uring_free_probe(probe);
    if (!multishot) {
        *why = "io_uring with multishot reads (Linux >= 6.7) is not available";
        return NULL;
    }
    struct ring *r = xzalloc(sizeof *r);
    struct io_uring_params params = {
        .flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN,
    };
    int rc = io_uring_queue_init_params(RING_ENTRIES, &r->uring, &params);
    if (rc < 0) {
        *why = "io_uring_setup failed";
        free(r);
        return NULL;
    }
    r->buffer_size = buffer_size;
    r->buf_ring_bytes = RING_BUFFERS * sizeof(struct io_uring_buf);
    r->buf_ring = mmap(NULL, r->buf_ring_bytes, PROT_READ | PROT_WRITE,
                       MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    /* Pages of a buffer are touched only as far as frames reach: small
     * frames keep the resident set small. */
    r->buffers = mmap(NULL, RING_BUFFERS * buffer_size, PROT_READ | PROT_WRITE,
                      MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    struct io_uring_buf_reg reg = {
        .ring_addr = (uintptr_t) r->buf_ring,
        .ring_entries = RING_BUFFERS,
        .bgid = BUFFER_GROUP,
    };
    if (r->buf_ring == MAP_FAILED || r->buffers == MAP_FAILED
        || io_uring_register_buf_ring(&r->uring, &reg, 0) < 0) {
        *why = "io_uring provided buffers could not be set up";
        r->buf_ring = r->buf_ring == MAP_FAILED ? NULL : r->buf_ring;
        r->buffers = r->buffers == MAP_FAILED ? NULL : r->buffers;
        ring_destroy(r);
        return NULL;
    }
    io_uring_buf_ring_init(r->buf_ring);
    for (unsigned bid = 0; bid < RING_BUFFERS; bid++) {
        recycle(r, bid);
    }
    r->watched = xzalloc(RING_MAX_FD * sizeof *r->watched);
    r->arm = xzalloc(RING_MAX_FD * sizeof *r->arm);
    return r;
}

void
ring_destroy(struct ring *r)
{
    if (!r) {
        return;
    }
    io_uring_queue_exit(&r->uring);
    if (r->buffers) {
        munmap(r->buffers, RING_BUFFERS * r->buffer_size);
    }
    if (r->buf_ring) {
        munmap(r->buf_ring, r->buf_ring_bytes);
    }
    free(r->watched);
    free(r->arm);
    free(r);
}

void
ring_watch(struct ring *r, int fd)
{
    ASSERT(fd >= 0 && fd < RING_MAX_FD);
    if (!r->watched[fd]) {
        r->watched[fd] = true;
        r->arm[fd]++;
        arm_read(r, fd);
    }
}

void
ring_unwatch(struct ring *r, int fd)
{
    ASSERT(fd >= 0 && fd < RING_MAX_FD);
    if (r->watched[fd]) {
        /* Cancelled by its user_data, not by fd: the fd may be closed by
         * the time the cancel runs.  Submitted now, before the caller says
         * it no longer uses the fd. */
        struct io_uring_sqe *sqe = get_sqe(r);
        io_uring_prep_cancel64(sqe, UD(OP_READ, r->arm[fd], (uint32_t) fd), 0);
        sqe->user_data = UD(OP_CANCEL, 0, 0);
        io_uring_submit(&r->uring);
        r->watched[fd] = false;
        r->arm[fd]++;
    }
}

static size_t
complete_read(struct ring *r, const struct io_uring_cqe *cqe, ring_frame_fn *fn, void *ctx)
{
    int fd = (int) UD_LOW(cqe->user_data);
    bool has_buffer = cqe->flags & IORING_CQE_F_BUFFER;
    unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
    size_t frames = 0;

    if (fd < 0 || fd >= RING_MAX_FD || !r->watched[fd]
        || (r->arm[fd] & 0x0fffffffu) != UD_ARM(cqe->user_data)) {
        if (has_buffer) {           /* a stale request's last frame */
            recycle(r, bid);
        }
        return 0;
    }
    if (has_buffer && cqe->res > 0) {
        frames = 1;
        size_t out_len = 0;
        uint8_t *buf = r->buffers + (size_t) bid * r->buffer_size;
        int out = fn(ctx, fd, buf, (size_t) cqe->res, &out_len);
        if (out >= 0 && out_len <= r->buffer_size) {
            struct io_uring_sqe *sqe = get_sqe(r);
            io_uring_prep_write(sqe, out, buf, (unsigned) out_len, 0);
            sqe->user_data = UD(OP_WRITE, 0, bid);
            r->write_len[bid] = (uint32_t) out_len;
        } else {
            recycle(r, bid);
        }
    } else if (has_buffer) {
        recycle(r, bid);
    }
    if (!(cqe->flags & IORING_CQE_F_MORE)) {
        /* A multishot read ends when the buffers ran out (they come back
         * as writes complete) or on an error; re-arm unless the device is
         * gone, which the control thread is about to notice. */
        if (cqe->res >= 0 || cqe->res == -ENOBUFS || cqe->res == -EAGAIN
            || cqe->res == -EINTR) {
            arm_read(r, fd);
        } else {
            LOG_DBG("fd %d: read ended: %s", fd, strerror(-cqe->res));
            r->watched[fd] = false;
        }
    }
    return frames;
}

size_t
ring_run(struct ring *r, int timeout_ms, ring_frame_fn *fn, void *ctx)
{
    struct io_uring_cqe *cqe;
    if (timeout_ms > 0) {
        struct __kernel_timespec ts = { .tv_sec = timeout_ms / 1000,
                                        .tv_nsec = (long long) (timeout_ms % 1000) * 1000000 };
        io_uring_submit_and_wait_timeout(&r->uring, &cqe, 1, &ts, NULL);
    } else {
        io_uring_submit_and_get_events(&r->uring);
    }

    size_t frames = 0;
    unsigned head, seen = 0;
    io_uring_for_each_cqe(&r->uring, head, cqe) {
        seen++;
        switch (UD_OP(cqe->user_data)) {
        case OP_READ:
            frames += complete_read(r, cqe, fn, ctx);
            break;
        case OP_WRITE: {
            unsigned bid = UD_LOW(cqe->user_data);
            if (cqe->res >= 0 && (uint32_t) cqe->res == r->write_len[bid]) {
                r->written++;
            } else {
                r->unwritable++;
            }
            recycle(r, bid);
            break;
        }
        default:
            break;
        }
    }
    io_uring_cq_advance(&r->uring, seen);
    return frames;
}

void
ring_flush(struct ring *r)
{
    io_uring_submit(&r->uring);
}

void
ring_counts(const struct ring *r, uint64_t *written, uint64_t *unwritable)
{
    *written = r->written;
    *unwritable = r->unwritable;
}

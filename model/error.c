/* error.h: the registry's names and statuses, and message formatting. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

#include "lib/util.h"

static const struct {
    const char *name;
    int status;
} errors[] = {
#define ERR(NAME, CODE, STATUS) { CODE, STATUS },
    AWS_ERRORS
#undef ERR
};

const char *
err_code_name(enum err_code code)
{
    ASSERT(code < N_ERR_CODES);
    return errors[code].name;
}

int
err_code_status(enum err_code code)
{
    ASSERT(code < N_ERR_CODES);
    return errors[code].status;
}

int
err_set(struct error *err, enum err_code code, const char *fmt, ...)
{
    if (err) {
        va_list args;
        err->code = code;
        va_start(args, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, args);
        va_end(args);
    }
    return -1;
}

void
err_clear(struct error *err)
{
    err->code = ERR_NONE;
    err->message[0] = '\0';
}

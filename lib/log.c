/* log.h: modules form a list registered at start-up; output to stderr with a
 * UTC timestamp, one line per message. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static struct log_module *modules;
static const char *const level_names[] = { "err", "warn", "info", "dbg" };

void
log_register(struct log_module *m)
{
    m->next = modules;
    modules = m;
}

bool
log_level_from_string(const char *s, enum log_level *level)
{
    for (size_t i = 0; i < sizeof level_names / sizeof level_names[0]; i++) {
        if (!strcmp(s, level_names[i])) {
            *level = (enum log_level) i;
            return true;
        }
    }
    return false;
}

bool
log_set_level(const char *module, const char *level_name)
{
    enum log_level level;
    bool found = false;

    if (!log_level_from_string(level_name, &level)) {
        return false;
    }
    for (struct log_module *m = modules; m; m = m->next) {
        if (!module || !strcmp(module, m->name)) {
            m->level = level;
            found = true;
        }
    }
    return found || !module;
}

void
log_msg(const struct log_module *m, enum log_level level, const char *fmt, ...)
{
    struct timeval tv;
    struct tm tm;
    char stamp[32];
    char line[2048];
    va_list args;

    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    va_start(args, fmt);
    vsnprintf(line, sizeof line, fmt, args);
    va_end(args);
    fprintf(stderr, "%s.%03ldZ|%s|%s|%s\n", stamp, (long) (tv.tv_usec / 1000), level_names[level],
            m->name, line);
}

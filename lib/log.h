/* One logging family that stamps the module (OVS VLOG_DEFINE_THIS_MODULE).
 * In each .c:   LOG_MODULE(api);   then   LOG_INFO("vpc-1: created");
 * Levels can be changed at run time per module or for all (log_set_level). */
#ifndef VPCD_LIB_LOG_H
#define VPCD_LIB_LOG_H

#include <stdbool.h>

enum log_level { LOG_LEVEL_ERR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DBG };

struct log_module {
    const char *name;
    enum log_level level;
    struct log_module *next;
};

#define LOG_MODULE(NAME) \
    static struct log_module log_this_module = { #NAME, LOG_LEVEL_INFO, 0 }; \
    __attribute__((constructor)) static void log_register_##NAME(void) \
    { \
        log_register(&log_this_module); \
    }

void log_register(struct log_module *);
/* 'module' NULL means every module; returns false for an unknown name or level. */
bool log_set_level(const char *module, const char *level);
bool log_level_from_string(const char *, enum log_level *);
void log_msg(const struct log_module *, enum log_level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define LOG_AT(LEVEL, ...) \
    do { \
        if (log_this_module.level >= (LEVEL)) { \
            log_msg(&log_this_module, (LEVEL), __VA_ARGS__); \
        } \
    } while (0)
#define LOG_ERR(...) LOG_AT(LOG_LEVEL_ERR, __VA_ARGS__)
#define LOG_WARN(...) LOG_AT(LOG_LEVEL_WARN, __VA_ARGS__)
#define LOG_INFO(...) LOG_AT(LOG_LEVEL_INFO, __VA_ARGS__)
#define LOG_DBG(...) LOG_AT(LOG_LEVEL_DBG, __VA_ARGS__)

#endif

/* A tiny unit-test harness (after BIRD's bt_test_suite): named cases with a
 * sentence of description, registered at load time, each run in a forked
 * child under an alarm so a crash or hang fails one case, not the run.
 *
 *   TEST(cidr_rejects_bad_length, "a /33 is not an IPv4 prefix")
 *   {
 *       CHECK(!ip4_prefix_parse("10.0.0.0/33", &p));
 *   }
 *
 * CHECK records a failure and goes on; REQUIRE stops the case.  The binary
 * prints 'unit: N passed, N failed' last and exits non-zero on any failure. */
#ifndef VPCD_TESTS_TESTLIB_H
#define VPCD_TESTS_TESTLIB_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct test_case {
    const char *name;
    const char *description;
    void (*fn)(void);
    struct test_case *next;
};

extern struct test_case *test_cases;
extern int test_failures;

void test_register(struct test_case *);

#define TEST(NAME, DESCRIPTION) \
    static void test_fn_##NAME(void); \
    static struct test_case test_case_##NAME = { #NAME, DESCRIPTION, test_fn_##NAME, 0 }; \
    __attribute__((constructor)) static void test_reg_##NAME(void) \
    { \
        test_register(&test_case_##NAME); \
    } \
    static void test_fn_##NAME(void)

#define CHECK(cond) \
    do { \
        if (!(cond)) { \
            fprintf(stderr, "    %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            test_failures++; \
        } \
    } while (0)

#define REQUIRE(cond) \
    do { \
        if (!(cond)) { \
            fprintf(stderr, "    %s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #cond); \
            test_failures++; \
            return; \
        } \
    } while (0)

#define CHECK_STR(a, b) \
    do { \
        const char *a_ = (a), *b_ = (b); \
        if (!a_ || !b_ || strcmp(a_, b_)) { \
            fprintf(stderr, "    %s:%d: CHECK_STR failed: %s = \"%s\", expected \"%s\"\n", \
                    __FILE__, __LINE__, #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
            test_failures++; \
        } \
    } while (0)

#define CHECK_INT(a, b) \
    do { \
        long long a_ = (long long) (a), b_ = (long long) (b); \
        if (a_ != b_) { \
            fprintf(stderr, "    %s:%d: CHECK_INT failed: %s = %lld, expected %lld\n", \
                    __FILE__, __LINE__, #a, a_, b_); \
            test_failures++; \
        } \
    } while (0)

#endif

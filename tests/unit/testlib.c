/* testlib.h's runner: forks each case under an alarm, prints a line per case. */
#include "testlib.h"

#include <signal.h>

enum { TEST_TIMEOUT_SEC = 60 };

struct test_case *test_cases;
int test_failures;

void
test_register(struct test_case *tc)
{
    /* Keep source order: constructors run in order, append at the tail. */
    struct test_case **p = &test_cases;
    while (*p) {
        p = &(*p)->next;
    }
    *p = tc;
}

int
main(int argc, char *argv[])
{
    int passed = 0, failed = 0;
    const char *only = argc > 1 ? argv[1] : NULL;

    for (struct test_case *tc = test_cases; tc; tc = tc->next) {
        if (only && strcmp(only, tc->name)) {
            continue;
        }
        fflush(stdout);
        fflush(stderr);
        pid_t pid = fork();
        if (pid == 0) {
            alarm(TEST_TIMEOUT_SEC);
            tc->fn();
            fflush(stderr);
            _exit(test_failures ? 1 : 0);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (ok) {
            passed++;
            printf("ok   %s\n", tc->name);
        } else {
            failed++;
            printf("FAIL %s: %s", tc->name, tc->description);
            if (WIFSIGNALED(status)) {
                printf(" (signal %d%s)", WTERMSIG(status),
                       WTERMSIG(status) == SIGALRM ? ", timed out" : "");
            }
            printf("\n");
        }
    }
    printf("unit: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

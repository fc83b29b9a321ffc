/* Unit tests for lib/: arena, buf, hmap, list. */
#include "testlib.h"

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/hmap.h"
#include "lib/list.h"
#include "lib/util.h"

TEST(arena_keeps_every_allocation, "many small and large arena allocations stay intact")
{
    struct arena *a = arena_create();
    char *ptrs[2000];
    for (int i = 0; i < 2000; i++) {
        size_t size = (size_t) (i % 7 == 0 ? 9000 : 1 + i % 100);
        ptrs[i] = arena_alloc(a, size);
        memset(ptrs[i], i & 0xff, size);
        CHECK(((uintptr_t) ptrs[i] & 15) == 0);
    }
    for (int i = 0; i < 2000; i++) {
        CHECK((unsigned char) ptrs[i][0] == (i & 0xff));
    }
    CHECK_STR(arena_printf(a, "%s-%d", "vpc", 7), "vpc-7");
    arena_reset(a);
    CHECK_STR(arena_strdup(a, "x"), "x");
    arena_destroy(a);
}

TEST(buf_escapes_xml, "the five XML specials are escaped and the rest kept")
{
    struct buf b;
    buf_init(&b);
    buf_put_xml_escaped(&b, "a<b>&\"'z");
    CHECK_STR(b.data, "a&lt;b&gt;&amp;&quot;&apos;z");
    buf_printf(&b, "%d", 42);
    CHECK_STR(b.data + b.len - 2, "42");
    buf_uninit(&b);
}

TEST(hmap_matches_naive_lookup, "hmap agrees with a linear table over inserts and removes")
{
    struct hmap m;
    static char keys[5000][16];
    static bool present[5000];
    hmap_init(&m);
    for (int i = 0; i < 5000; i++) {
        snprintf(keys[i], sizeof keys[i], "k%d", i);
    }
    unsigned seed = 12345;
    for (int step = 0; step < 40000; step++) {
        seed = seed * 1103515245 + 12345;
        int i = (int) ((seed >> 8) % 5000);
        if (present[i]) {
            CHECK(hmap_remove(&m, keys[i]) == keys[i]);
            present[i] = false;
        } else {
            CHECK(hmap_insert(&m, keys[i], keys[i]));
            CHECK(!hmap_insert(&m, keys[i], keys[i]));
            present[i] = true;
        }
    }
    size_t n = 0;
    for (int i = 0; i < 5000; i++) {
        CHECK((hmap_find(&m, keys[i]) != NULL) == present[i]);
        n += present[i];
    }
    CHECK_INT(m.count, n);
    hmap_uninit(&m);
}

struct item {
    int v;
    struct list node;
};

TEST(list_iterates_in_order_and_removes_safely, "list keeps insertion order; SAFE loop may remove")
{
    struct list head;
    struct item items[5];
    list_init(&head);
    for (int i = 0; i < 5; i++) {
        items[i].v = i;
        list_push_back(&head, &items[i].node);
    }
    struct item *it, *next;
    int expect = 0;
    LIST_FOR_EACH_SAFE (it, next, node, &head) {
        CHECK_INT(it->v, expect++);
        if (it->v % 2) {
            list_remove(&it->node);
        }
    }
    CHECK_INT(list_size(&head), 3);
}

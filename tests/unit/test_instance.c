/* Unit tests for the instance model rules: state over time, the public IPv4
 * over stop/start/terminate (section 6), interfaces at launch and
 * termination, attach limits, all-or-nothing launches and state changes,
 * routes to instances (section 7). */
#include <string.h>

#include "lib/util.h"
#include "model/address.h"
#include "model/instance.h"
#include "model/internet_gateway.h"
#include "model/model.h"
#include "model/network_interface.h"
#include "model/route_table.h"
#include "model/subnet.h"
#include "model/vpc.h"
#include "tests/unit/testlib.h"

static const struct ip4_prefix pool = { 0xc6120000, 15 };

static int64_t fake_now;

static int64_t
fake_clock(void)
{
    return fake_now;
}

struct world {
    struct model *m;
    struct scope *scope;
    struct vpc *vpc;
    struct subnet *subnet;          /* 10.0.1.0/28: 11 usable addresses */
};

static void
world_init(struct world *w)
{
    struct error err;
    fake_now = 2000000;
    model_set_clock(fake_clock);
    memset(w, 0, sizeof *w);
    w->m = model_create(&(struct model_config){ .public_pool = pool });
    w->scope = model_scope(w->m, "000000000000", "us-east-1");
    struct ip4_prefix vpc_cidr = { 0x0a000000, 16 };
    struct ip4_prefix subnet_cidr = { 0x0a000100, 28 };
    ASSERT(!vpc_create(w->m, w->scope, &vpc_cidr, NULL, &w->vpc, &err));
    ASSERT(!subnet_create(w->m, w->vpc, &subnet_cidr, NULL, &w->subnet, &err));
}

static void
launch_init(struct instance_launch *l, struct subnet *subnet, int64_t min, int64_t max)
{
    memset(l, 0, sizeof *l);
    l->image_id = "ami-0abcdef1234567890";
    l->instance_type = "t3.micro";
    l->min_count = min;
    l->max_count = max;
    l->n_interfaces = 1;
    l->interfaces[0].subnet = subnet;
    l->interfaces[0].associate_public_ip = -1;
    l->interfaces[0].delete_on_termination = -1;
}

static struct instance *
run_one(struct world *w, int associate_public_ip)
{
    struct instance_launch l;
    struct instance *out[INSTANCE_LAUNCH_MAX];
    size_t n;
    struct error err;
    launch_init(&l, w->subnet, 1, 1);
    l.interfaces[0].associate_public_ip = associate_public_ip;
    ASSERT(!instance_run(w->m, w->scope, &l, out, &n, &err));
    ASSERT(n == 1);
    return out[0];
}

TEST(state_over_time, "pending/running, stopping/stopped, shutting-down/terminated, pruned")
{
    struct world w;
    struct error err;
    enum instance_state prev, cur;
    world_init(&w);
    struct instance *inst = run_one(&w, -1);
    CHECK_INT(instance_state(inst, fake_now), INSTANCE_PENDING);
    CHECK(instance_is_up(inst, fake_now));
    CHECK_INT(instance_next_transition(inst, fake_now), fake_now + INSTANCE_TRANSITION_SEC);
    fake_now += INSTANCE_TRANSITION_SEC;
    CHECK_INT(instance_state(inst, fake_now), INSTANCE_RUNNING);
    CHECK_INT(instance_next_transition(inst, fake_now), 0);

    REQUIRE(!instance_stop(w.m, &inst, 1, &prev, &cur, &err));
    CHECK_INT(prev, INSTANCE_RUNNING);
    CHECK_INT(cur, INSTANCE_STOPPING);
    CHECK(!instance_is_up(inst, fake_now));
    /* Starting a stopping instance is refused. */
    err_clear(&err);
    CHECK(instance_start(w.m, &inst, 1, &prev, &cur, &err) < 0);
    CHECK_STR(err_code_name(err.code), "IncorrectInstanceState");
    fake_now += INSTANCE_TRANSITION_SEC;
    CHECK_INT(instance_state(inst, fake_now), INSTANCE_STOPPED);
    char reason[96];
    instance_transition_reason(inst, reason, sizeof reason);
    CHECK(str_prefix(reason, "User initiated ("));

    REQUIRE(!instance_terminate(w.m, &inst, 1, &prev, &cur, &err));
    CHECK_INT(prev, INSTANCE_STOPPED);
    CHECK_INT(cur, INSTANCE_SHUTTING_DOWN);
    fake_now += INSTANCE_TRANSITION_SEC;
    CHECK_INT(instance_state(inst, fake_now), INSTANCE_TERMINATED);
    char id[ID_SIZE];
    str_copy(id, sizeof id, inst->r.id);
    instance_prune(w.m, w.scope, fake_now + INSTANCE_TERMINATED_VISIBLE_SEC - 1);
    CHECK(model_find(w.m, id) != NULL);
    instance_prune(w.m, w.scope, fake_now + INSTANCE_TERMINATED_VISIBLE_SEC);
    CHECK(model_find(w.m, id) == NULL);
    model_destroy(w.m);
}

TEST(public_ip_over_stop_start, "auto public IPv4 released on stop, a new one on start")
{
    struct world w;
    struct error err;
    enum instance_state prev, cur;
    world_init(&w);
    struct instance *inst = run_one(&w, 1);
    CHECK(inst->auto_public_ip);
    struct network_interface *eni = instance_primary_interface(w.m, inst);
    REQUIRE(eni);
    uint32_t first = eni->public_ip;
    CHECK(first != 0);
    REQUIRE(!instance_stop(w.m, &inst, 1, &prev, &cur, &err));
    CHECK_INT(eni->public_ip, 0);
    fake_now += INSTANCE_TRANSITION_SEC;
    /* Stop again: nothing changes. */
    REQUIRE(!instance_stop(w.m, &inst, 1, &prev, &cur, &err));
    CHECK_INT(prev, INSTANCE_STOPPED);
    CHECK_INT(cur, INSTANCE_STOPPED);
    REQUIRE(!instance_start(w.m, &inst, 1, &prev, &cur, &err));
    CHECK_INT(cur, INSTANCE_PENDING);
    CHECK(eni->public_ip != 0);
    /* The subnet does not map public IPs: none without asking. */
    struct instance *plain = run_one(&w, -1);
    CHECK_INT(instance_primary_interface(w.m, plain)->public_ip, 0);
    model_destroy(w.m);
}

TEST(terminate_interfaces, "delete-on-termination interfaces go, others are detached")
{
    struct world w;
    struct error err;
    enum instance_state prev, cur;
    world_init(&w);
    uint32_t free_before = subnet_available_count(w.subnet);
    struct instance *inst = run_one(&w, 1);
    struct network_interface *extra;
    REQUIRE(!network_interface_create(w.m, w.subnet, 0, NULL, 0, NULL, NULL, NULL, &extra,
                                      &err));
    REQUIRE(!instance_attach_interface(w.m, inst, extra, 1, &err));
    CHECK_STR(network_interface_status(extra), "in-use");
    CHECK(str_prefix(extra->attachment.id, "eni-attach-"));
    CHECK_INT(subnet_available_count(w.subnet), free_before - 2);

    struct network_interface *enis[INSTANCE_MAX_INTERFACES];
    CHECK_INT(instance_interfaces(w.m, inst, enis, INSTANCE_MAX_INTERFACES), 2);
    err_clear(&err);
    CHECK(!instance_only_interface(w.m, w.scope, inst->r.id, &err));
    CHECK_STR(err_code_name(err.code), "InvalidInstanceID");
    /* t3.micro: two interfaces at most. */
    struct network_interface *third;
    REQUIRE(!network_interface_create(w.m, w.subnet, 0, NULL, 0, NULL, NULL, NULL, &third,
                                      &err));
    err_clear(&err);
    CHECK(instance_attach_interface(w.m, inst, third, 2, &err) < 0);
    CHECK_STR(err_code_name(err.code), "AttachmentLimitExceeded");
    /* Device 0 stays. */
    err_clear(&err);
    CHECK(instance_detach_interface(w.m, w.scope, enis[0]->attachment.id, false, &err) < 0);
    CHECK_STR(err_code_name(err.code), "OperationNotPermitted");

    char eni0_id[ID_SIZE];
    str_copy(eni0_id, sizeof eni0_id, enis[0]->r.id);
    REQUIRE(!instance_terminate(w.m, &inst, 1, &prev, &cur, &err));
    CHECK(model_find(w.m, eni0_id) == NULL);
    CHECK_STR(network_interface_status(extra), "available");
    CHECK_INT(instance_interfaces(w.m, inst, enis, INSTANCE_MAX_INTERFACES), 0);
    CHECK_INT(subnet_available_count(w.subnet), free_before - 2);   /* extra + third */
    err_clear(&err);
    CHECK(!instance_only_interface(w.m, w.scope, inst->r.id, &err));
    CHECK_STR(err_code_name(err.code), "IncorrectInstanceState");
    model_destroy(w.m);
}

TEST(launch_all_or_nothing, "counts, room in the subnet, refusals take nothing")
{
    struct world w;
    struct error err;
    struct instance_launch l;
    struct instance *out[INSTANCE_LAUNCH_MAX];
    size_t n;
    world_init(&w);
    CHECK_INT(subnet_available_count(w.subnet), 11);
    launch_init(&l, w.subnet, 12, 12);
    err_clear(&err);
    CHECK(instance_run(w.m, w.scope, &l, out, &n, &err) < 0);
    CHECK_STR(err_code_name(err.code), "InsufficientFreeAddressesInSubnet");
    CHECK_INT(subnet_available_count(w.subnet), 11);
    CHECK_INT(w.scope->n_resources[RES_INSTANCE], 0);

    launch_init(&l, w.subnet, 1, 1);
    l.image_id = "ami-xyz";
    err_clear(&err);
    CHECK(instance_run(w.m, w.scope, &l, out, &n, &err) < 0);
    CHECK_STR(err_code_name(err.code), "InvalidAMIID.Malformed");
    launch_init(&l, w.subnet, 1, 1);
    l.instance_type = "x9.huge";
    err_clear(&err);
    CHECK(instance_run(w.m, w.scope, &l, out, &n, &err) < 0);
    CHECK_STR(err_code_name(err.code), "InvalidParameterValue");
    launch_init(&l, w.subnet, 1, 1);
    l.user_data = "abc";    /* not a multiple of 4 */
    err_clear(&err);
    CHECK(instance_run(w.m, w.scope, &l, out, &n, &err) < 0);
    CHECK_STR(err_code_name(err.code), "InvalidParameterValue");

    launch_init(&l, w.subnet, 2, 20);
    REQUIRE(!instance_run(w.m, w.scope, &l, out, &n, &err));
    CHECK_INT(n, 11);
    CHECK_INT(subnet_available_count(w.subnet), 0);
    CHECK_STR(out[0]->reservation_id, out[10]->reservation_id);
    CHECK_INT(out[10]->ami_launch_index, 10);

    /* One terminated instance refuses a stop of all of them. */
    enum instance_state prev[2], cur[2];
    struct instance *two[2] = { out[0], out[1] };
    REQUIRE(!instance_terminate(w.m, &two[1], 1, prev, cur, &err));
    err_clear(&err);
    CHECK(instance_stop(w.m, two, 2, prev, cur, &err) < 0);
    CHECK_STR(err_code_name(err.code), "IncorrectInstanceState");
    CHECK_INT(out[0]->phase, INSTANCE_PHASE_RUN);
    model_destroy(w.m);
}

TEST(instance_types, "known families and sizes, with their interface limits")
{
    int max;
    CHECK(instance_type_known("t3.micro", &max));
    CHECK_INT(max, 2);
    CHECK(instance_type_known("m5.4xlarge", &max));
    CHECK_INT(max, 8);
    CHECK(instance_type_known("c7g.large", &max));
    CHECK_INT(max, 3);
    CHECK(!instance_type_known("t3.metal", NULL));
    CHECK(!instance_type_known("t3", NULL));
    CHECK(!instance_type_known("zz.large", NULL));
}

TEST(route_to_instance, "an instance target is its interface; blackhole unless up")
{
    struct world w;
    struct error err;
    enum instance_state prev, cur;
    world_init(&w);
    struct instance *inst = run_one(&w, -1);
    struct route_table *rtb;
    REQUIRE(!route_table_create(w.m, w.vpc, &rtb, &err));
    struct route_spec spec = { .has_dst = true, .dst = { 0, 0 } };
    spec.targets[ROUTE_TARGET_INSTANCE] = inst->r.id;
    REQUIRE(!route_table_create_route(w.m, rtb, &spec, &err));
    struct route *route = route_table_find_route(rtb, &spec);
    REQUIRE(route);
    CHECK_INT(route->target, ROUTE_TARGET_NETWORK_INTERFACE);
    CHECK_STR(route->target_id, instance_primary_interface(w.m, inst)->r.id);
    CHECK_STR(route_instance_id(w.m, route), inst->r.id);
    CHECK_STR(route_state(w.m, rtb, route), "active");
    REQUIRE(!instance_stop(w.m, &inst, 1, &prev, &cur, &err));
    CHECK_STR(route_state(w.m, rtb, route), "blackhole");
    fake_now += INSTANCE_TRANSITION_SEC;
    REQUIRE(!instance_start(w.m, &inst, 1, &prev, &cur, &err));
    CHECK_STR(route_state(w.m, rtb, route), "active");
    REQUIRE(!instance_terminate(w.m, &inst, 1, &prev, &cur, &err));
    CHECK_STR(route_state(w.m, rtb, route), "blackhole");
    model_destroy(w.m);
}

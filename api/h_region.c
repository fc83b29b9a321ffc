/* EC2 actions of the account and region family (DescribeAvailabilityZones,
 * DescribeRegions, DescribeAccountAttributes): decode, call model/region.h,
 * format. */
#include "api/api.h"

#include <string.h>

#include "lib/arena.h"
#include "lib/util.h"
#include "model/region.h"

/* Decodes 'Filters' against the zone ('zones') or region filters. */
static int
decode_filters(struct api_request *req, bool zones, struct region_filter **out, size_t *n_out)
{
    struct api_filter_spec *specs;
    size_t n;

    if (api_decode_filter_specs(req, &specs, &n)) {
        return -1;
    }
    struct region_filter *filters = arena_zalloc(req->arena, (n + 1) * sizeof *filters);
    for (size_t i = 0; i < n; i++) {
        if (region_filter_init(&filters[i], zones, specs[i].name, specs[i].patterns,
                               specs[i].n_patterns, req->err)) {
            return -1;
        }
    }
    *out = filters;
    *n_out = n;
    return 0;
}

/* Marks in 'chosen' the zones string list 'member' names by name ('by_id'
 * false) or zone id: InvalidParameterValue for one the region lacks. */
static int
choose_zones(struct api_request *req, const struct region *region, const char *member,
             bool by_id, bool *chosen)
{
    const struct dval *list = dval_get(req->in, member);
    for (size_t i = 0; i < dval_list_len(list); i++) {
        const char *name = dval_list_at(list, i)->u.str;
        bool found = false;
        for (size_t z = 0; z < region->n_zones; z++) {
            if (!strcmp(by_id ? region->zones[z].zone_id : region->zones[z].name, name)) {
                chosen[z] = found = true;
            }
        }
        if (!found) {
            return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                           "Invalid availability zone: [%s]", name);
        }
    }
    return 0;
}

static int
describe_availability_zones(struct api_request *req)
{
    const struct region *region = region_find(req->scope->region);
    struct region_filter *filters;
    size_t n_filters;

    ASSERT(region);     /* the service refuses a region it does not know */
    bool *chosen = arena_zalloc(req->arena, region->n_zones + 1);
    if (decode_filters(req, true, &filters, &n_filters)
        || choose_zones(req, region, "ZoneNames", false, chosen)
        || choose_zones(req, region, "ZoneIds", true, chosen)
        || model_dry_run(req->model, req->err)) {
        return -1;
    }
    /* Zone names and zone ids given together name the union of their zones. */
    bool all = !dval_list_len(dval_get(req->in, "ZoneNames"))
               && !dval_list_len(dval_get(req->in, "ZoneIds"));
    /* AllAvailabilityZones adds the zones of groups not opted in: vpcd has
     * none, so it changes nothing. */
    struct oval *list = oval_set_list(req->out, "AvailabilityZones");
    for (size_t i = 0; i < region->n_zones; i++) {
        const struct availability_zone *zone = &region->zones[i];
        if (!(all || chosen[i]) || !region_filter_match(filters, n_filters, region, zone)) {
            continue;
        }
        struct oval *st = oval_list_add_struct(list);
        oval_set_str(st, "State", REGION_ZONE_STATE);
        oval_set_str(st, "OptInStatus", REGION_ZONE_OPT_IN_STATUS);
        oval_set_list(st, "Messages");
        oval_set_str(st, "RegionName", region->name);
        oval_set_str(st, "ZoneName", zone->name);
        oval_set_str(st, "ZoneId", zone->zone_id);
        oval_set_str(st, "GroupName", region->name);
        oval_set_str(st, "NetworkBorderGroup", region->name);
        oval_set_str(st, "ZoneType", REGION_ZONE_TYPE);
    }
    return 0;
}

static int
describe_regions(struct api_request *req)
{
    struct region_filter *filters;
    size_t n_filters;
    size_t n_regions;
    const struct region *regions = region_all(&n_regions);

    if (decode_filters(req, false, &filters, &n_filters)) {
        return -1;
    }
    const struct dval *names = dval_get(req->in, "RegionNames");
    bool *chosen = arena_zalloc(req->arena, n_regions + 1);
    for (size_t i = 0; i < dval_list_len(names); i++) {
        const char *name = dval_list_at(names, i)->u.str;
        const struct region *r = region_find(name);
        if (!r) {
            return err_set(req->err, ERR_INVALID_PARAMETER_VALUE, "Invalid region: [%s]",
                           name);
        }
        chosen[r - regions] = true;
    }
    if (model_dry_run(req->model, req->err)) {
        return -1;
    }
    /* Every region is enabled in vpcd, so AllRegions lists nothing more. */
    struct oval *list = oval_set_list(req->out, "Regions");
    for (size_t i = 0; i < n_regions; i++) {
        if ((dval_list_len(names) && !chosen[i])
            || !region_filter_match(filters, n_filters, &regions[i], NULL)) {
            continue;
        }
        char endpoint[REGION_ENDPOINT_SIZE];
        struct oval *st = oval_list_add_struct(list);
        oval_set_str(st, "Endpoint", region_endpoint(&regions[i], endpoint, sizeof endpoint));
        oval_set_str(st, "RegionName", regions[i].name);
        oval_set_str(st, "OptInStatus", regions[i].opt_in_status);
    }
    return 0;
}

static int
describe_account_attributes(struct api_request *req)
{
    const struct dval *names = dval_get(req->in, "AttributeNames");
    if (model_dry_run(req->model, req->err)) {
        return -1;
    }
    struct oval *list = oval_set_list(req->out, "AccountAttributes");
    for (enum account_attribute a = 0; a < N_ACCOUNT_ATTRS; a++) {
        const char *name = region_account_attribute_name(a);
        bool wanted = !dval_list_len(names);
        for (size_t i = 0; !wanted && i < dval_list_len(names); i++) {
            wanted = !strcmp(dval_list_at(names, i)->u.str, name);
        }
        if (!wanted) {
            continue;
        }
        char buf[ID_SIZE];
        struct oval *st = oval_list_add_struct(list);
        oval_set_str(st, "AttributeName", name);
        struct oval *values = oval_set_list(st, "AttributeValues");
        oval_set_str(oval_list_add_struct(values), "AttributeValue",
                     region_account_attribute_value(req->model, req->scope, a, buf,
                                                    sizeof buf));
    }
    return 0;
}

const struct api_action api_actions_region[] = {
    { "DescribeAvailabilityZones", describe_availability_zones },
    { "DescribeRegions", describe_regions },
    { "DescribeAccountAttributes", describe_account_attributes },
    { NULL, NULL },
};

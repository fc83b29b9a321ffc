/* api.h's action table: the families' tables, looked up by name. */
#include "api/api.h"

#include <string.h>

static const struct api_action *const families[] = {
    api_actions_vpc,
    api_actions_subnet,
    api_actions_route_table,
    api_actions_network_acl,
    api_actions_security_group,
    api_actions_internet_gateway,
    api_actions_address,
    api_actions_network_interface,
    api_actions_nat_gateway,
    api_actions_instance,
    api_actions_tags,
    api_actions_region,
};

api_handler_fn *
api_find_handler(const char *action)
{
    /* About a hundred actions: a scan costs less than the request's decode. */
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
        for (const struct api_action *a = families[i]; a->name; a++) {
            if (!strcmp(a->name, action)) {
                return a->handler;
            }
        }
    }
    return NULL;
}

/* EC2 actions of the route_table family: decode, call model/, format. */
#include "api/api.h"

const struct api_action api_actions_route_table[] = {
    { NULL, NULL },
};

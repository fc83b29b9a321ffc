/* EC2 actions of the nat_gateway family: decode, call model/, format. */
#include "api/api.h"

const struct api_action api_actions_nat_gateway[] = {
    { NULL, NULL },
};

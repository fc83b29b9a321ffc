/* EC2 actions of the address family: decode, call model/, format. */
#include "api/api.h"

const struct api_action api_actions_address[] = {
    { NULL, NULL },
};

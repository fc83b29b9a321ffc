/* EC2 actions of the subnet family: decode, call model/, format. */
#include "api/api.h"

const struct api_action api_actions_subnet[] = {
    { NULL, NULL },
};

/* EC2 actions of the internet_gateway family: decode, call model/, format. */
#include "api/api.h"

const struct api_action api_actions_internet_gateway[] = {
    { NULL, NULL },
};

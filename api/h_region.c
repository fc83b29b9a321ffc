/* EC2 actions of the region family: decode, call model/, format. */
#include "api/api.h"

const struct api_action api_actions_region[] = {
    { NULL, NULL },
};

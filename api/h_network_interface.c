/* EC2 actions of the network_interface family: decode, call model/, format. */
#include "api/api.h"

const struct api_action api_actions_network_interface[] = {
    { NULL, NULL },
};

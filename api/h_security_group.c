/* EC2 actions of the security_group family: decode, call model/, format. */
#include "api/api.h"

const struct api_action api_actions_security_group[] = {
    { NULL, NULL },
};

/* EC2 actions of the tags family: decode, call model/, format. */
#include "api/api.h"

const struct api_action api_actions_tags[] = {
    { NULL, NULL },
};

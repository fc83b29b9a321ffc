/* Instances: launch, the pending -> running -> stopping -> stopped ->
 * shutting-down -> terminated life, their network interfaces and public
 * IPv4 (vpc-semantics.md sections 2.2, 5, 6; issue 3 "Instances").
 *
 * State is a function of time, as for NAT gateways: an instance stores the
 * phase it was last put in (run, stop, terminate) and when; the state shown
 * is the phase's transitional state ("pending", "stopping", "shutting-down")
 * for INSTANCE_TRANSITION_SEC, then its settled one ("running", "stopped",
 * "terminated").  A terminated instance stays visible for
 * INSTANCE_TERMINATED_VISIBLE_SEC, then instance_prune() removes it.  A
 * restart neither loses nor replays a transition.
 *
 * Networking: the interfaces are the truth.  An instance's interfaces are
 * those whose attachment names it (network_interface.h), device 0 being the
 * primary, made with the instance and never detachable.  The primary's
 * auto-assigned public IPv4 is the instance's public IP: given at launch
 * when the subnet maps public IPs or the launch asks for one, released on
 * stop and terminate, a new one given on start; an Elastic IP stays.
 *
 * For the data plane: everything it needs is instance_state() (a running
 * instance is one for which instance_is_up() holds) and instance_interfaces();
 * instance_next_transition() says when the derived state will next change
 * without a request, so a snapshot can be rebuilt then.  UserData is kept as
 * sent (base64); what the instance printed goes to instance_set_console_output(). */
#ifndef VPCD_MODEL_INSTANCE_H
#define VPCD_MODEL_INSTANCE_H

#include "model/filter.h"
#include "model/model.h"

struct network_interface;

enum {
    INSTANCE_LAUNCH_MAX = 20,           /* MaxCount per RunInstances (the account's limit) */
    INSTANCE_MAX_INTERFACES = 15,       /* the largest types; the type's own limit applies */
    INSTANCE_MAX_DEVICE_INDEX = 31,
    INSTANCE_TRANSITION_SEC = 1,        /* AWS takes seconds to minutes; tools poll */
    INSTANCE_TERMINATED_VISIBLE_SEC = 3600,
    INSTANCE_USER_DATA_MAX = 16384,     /* decoded bytes */
    INSTANCE_IMAGE_ID_SIZE = 32,        /* "ami-" + 17 hex + NUL fits */
    INSTANCE_TYPE_SIZE = 32,
    INSTANCE_KEY_NAME_MAX = 255,
};

/* AWS's state codes (the low byte of InstanceState.Code). */
enum instance_state {
    INSTANCE_PENDING = 0,
    INSTANCE_RUNNING = 16,
    INSTANCE_SHUTTING_DOWN = 32,
    INSTANCE_TERMINATED = 48,
    INSTANCE_STOPPING = 64,
    INSTANCE_STOPPED = 80,
};

/* What the instance was last told to do; stored as int. */
enum instance_phase {
    INSTANCE_PHASE_RUN,                 /* pending, then running */
    INSTANCE_PHASE_STOP,                /* stopping, then stopped */
    INSTANCE_PHASE_TERMINATE,           /* shutting-down, then terminated */
};

struct instance {
    struct resource r;                  /* vpc_id: its primary interface's VPC */
    char reservation_id[ID_SIZE];       /* "r-...", shared by one launch */
    char image_id[INSTANCE_IMAGE_ID_SIZE];
    char instance_type[INSTANCE_TYPE_SIZE];
    char *key_name;                     /* heap or NULL */
    char subnet_id[ID_SIZE];
    char az[AZ_SIZE];
    int ami_launch_index;
    int phase;                          /* enum instance_phase */
    int64_t phase_time;                 /* when the phase began */
    int64_t launch_time;                /* the last start */
    bool auto_public_ip;                /* device 0 gets a public IPv4 on each start */
    char *user_data;                    /* base64 as sent, or NULL */
    bool user_data_done;                /* the data plane ran it (first start only) */
    char *console_output;               /* base64 of what the instance printed, or NULL */
};

static inline struct instance *
instance_cast(struct resource *r)
{
    return r ? CONTAINER_OF(r, struct instance, r) : NULL;
}

/* One interface of a launch (a NetworkInterfaces entry, or the instance-level
 * SubnetId / SecurityGroupIds / PrivateIpAddress as device 0). */
struct instance_launch_interface {
    int device_index;
    struct subnet *subnet;              /* for a new interface */
    struct network_interface *existing; /* NetworkInterfaceId, or NULL */
    const char *const *group_ids;       /* none: the VPC's default group */
    size_t n_groups;
    uint32_t private_ip;                /* 0: any free address */
    size_t secondary_count;             /* SecondaryPrivateIpAddressCount */
    int associate_public_ip;            /* -1 unset, else 0/1 */
    int delete_on_termination;          /* -1 unset: true for new, false for existing */
    const char *description;
};

/* What RunInstances asks for. */
struct instance_launch {
    const char *image_id;
    const char *instance_type;
    const char *key_name;               /* NULL: none */
    const char *user_data;              /* base64, NULL: none */
    int64_t min_count, max_count;
    struct instance_launch_interface interfaces[INSTANCE_MAX_INTERFACES];
    size_t n_interfaces;
};

/* The subnet an instance launched without one goes to: the default VPC's
 * default subnet in zone 'az' (NULL: the region's first zone that has one).
 * VPCIdNotSpecified without a default VPC. */
struct subnet *instance_default_subnet(const struct model *, const struct scope *,
                                       const char *az, struct error *err);

/* RunInstances: checks everything (image id, type, counts, interfaces,
 * groups, addresses, room in the subnets), then makes as many instances as
 * fit, at most max_count and at least min_count (else
 * InsufficientFreeAddressesInSubnet), with their interfaces, in one
 * reservation.  'out' has room for INSTANCE_LAUNCH_MAX. */
int instance_run(struct model *, struct scope *, const struct instance_launch *,
                 struct instance **out, size_t *n_out, struct error *err);

/* The state at time 'now' and its name ("pending", ...). */
enum instance_state instance_state(const struct instance *, int64_t now);
const char *instance_state_name(enum instance_state);
/* Pending or running: the instance has (or is about to have) its network. */
bool instance_is_up(const struct instance *, int64_t now);
/* When the derived state next changes by itself, or 0 if it won't. */
int64_t instance_next_transition(const struct instance *, int64_t now);
/* "User initiated (2026-11-28 15:00:00 GMT)" after a stop or terminate, else "". */
void instance_transition_reason(const struct instance *, char *out, size_t size);

/* Start/Stop/Terminate of 'n' instances, all or nothing: every instance is
 * checked first (IncorrectInstanceState), then the dry run, then each
 * changes.  'previous' and 'current' get each instance's states.  Stopping a
 * stopping/stopped instance, starting a pending/running one, terminating a
 * terminated one change nothing. */
int instance_start(struct model *, struct instance **, size_t n, enum instance_state *previous,
                   enum instance_state *current, struct error *err);
int instance_stop(struct model *, struct instance **, size_t n, enum instance_state *previous,
                  enum instance_state *current, struct error *err);
int instance_terminate(struct model *, struct instance **, size_t n,
                       enum instance_state *previous, enum instance_state *current,
                       struct error *err);

/* The instance's interfaces by device index; returns how many (at most
 * 'max'). */
size_t instance_interfaces(const struct model *, const struct instance *,
                           struct network_interface **out, size_t max);
/* Its device-0 interface, or NULL (terminated). */
struct network_interface *instance_primary_interface(const struct model *,
                                                     const struct instance *);
/* For AssociateAddress InstanceId and routes to an instance: the one
 * interface of instance 'id' (Malformed / NotFound; IncorrectInstanceState
 * when terminated; InvalidInstanceID when it has several). */
struct network_interface *instance_only_interface(const struct model *, const struct scope *,
                                                  const char *id, struct error *err);
/* The instance 'eni' is attached to, or NULL. */
struct instance *instance_of_interface(const struct model *, const struct network_interface *);

/* AttachNetworkInterface: same VPC and zone, interface available and not
 * requester-managed, device index free and within the type's interface
 * limit, instance not terminated.  Sets the attachment ("eni-attach-..."). */
int instance_attach_interface(struct model *, struct instance *, struct network_interface *,
                              int64_t device_index, struct error *err);
/* DetachNetworkInterface by attachment id (InvalidAttachmentID.NotFound);
 * device 0 can't be detached (OperationNotPermitted). */
int instance_detach_interface(struct model *, struct scope *, const char *attachment_id,
                              bool force, struct error *err);

/* Replaces what the instance printed (raw bytes, stored base64). */
void instance_set_console_output(struct model *, struct instance *, const void *data,
                                 size_t size);

/* Removes the scope's instances terminated longer than
 * INSTANCE_TERMINATED_VISIBLE_SEC ago. */
void instance_prune(struct model *, struct scope *, int64_t now);

/* Whether 'type' is an instance type vpcd knows, and its interface limit. */
bool instance_type_known(const char *type, int *max_interfaces);

/* DescribeInstances filters (also DescribeInstanceStatus's). */
extern const struct filter_def instance_filters[];
extern const size_t instance_n_filters;

#endif

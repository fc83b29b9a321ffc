/* What an action handler sees, and the helpers handlers share.
 *
 * A handler translates: it reads the decoded request ('req->in', names as in
 * botocore's model), calls the model operation that holds the rule, and fills
 * 'req->out' (bound to the action's output shape) from the model's objects.
 * It holds no VPC rules of its own.  It returns 0, or -1 with 'req->err'
 * filled (usually by the model).  Requests run one at a time on the control
 * thread; everything a handler allocates comes from 'req->arena'. */
#ifndef VPCD_API_API_H
#define VPCD_API_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/query.h"
#include "api/xml.h"
#include "model/error.h"
#include "model/filter.h"
#include "model/model.h"

struct arena;

struct api_request {
    const char *action;
    const char *request_id;
    struct model *model;
    struct scope *scope;            /* the caller's account and region */
    struct arena *arena;
    const struct dval *in;          /* decoded input, never NULL */
    struct oval *out;               /* output to fill; NULL for actions without output */
    struct error *err;
};

typedef int api_handler_fn(struct api_request *);

struct api_action {
    const char *name;               /* "CreateVpc" */
    api_handler_fn *handler;
};

/* Each family file exports its table, terminated by { NULL, NULL }. */
extern const struct api_action api_actions_vpc[], api_actions_subnet[],
    api_actions_route_table[], api_actions_network_acl[], api_actions_security_group[],
    api_actions_internet_gateway[], api_actions_address[], api_actions_network_interface[],
    api_actions_nat_gateway[], api_actions_tags[], api_actions_region[], api_actions_instance[];

/* The handler for 'action', or NULL. */
api_handler_fn *api_find_handler(const char *action);

/* Looks up the resource named by string member 'member' of 'st' in the
 * caller's scope: NULL with req->err filled (Malformed / NotFound) if it is not
 * there; with the member absent, MissingParameter. */
struct resource *api_get(struct api_request *, const struct dval *st, const char *member,
                         enum res_kind);

/* Parses string member 'member' as an IPv4 CIDR into canonical form:
 * InvalidParameterValue "Value (x) for parameter cidrBlock is invalid. This is
 * not a valid CIDR block." for anything else.  'wire_name' is the name the
 * message uses ("cidrBlock").  MissingParameter when absent. */
int api_get_prefix4(struct api_request *, const struct dval *st, const char *member,
                    const char *wire_name, struct ip4_prefix *out);
/* Parses an IPv4 address member (InvalidParameterValue if not one); returns
 * 0 with '*out' 0 when the member is absent. */
int api_get_ip4(struct api_request *, const struct dval *st, const char *member,
                uint32_t *out);
/* MissingParameter unless string member 'member' is present and non-empty. */
const char *api_require_str(struct api_request *, const struct dval *st, const char *member);

/* TagSpecifications: checks that every specification names 'tag_type' and
 * that the tags are valid, before anything is created (InvalidParameterValue,
 * TagLimitExceeded).  Returns 0 or -1. */
int api_check_tag_specs(struct api_request *, const char *tag_type);
/* Applies those tags to a resource just created. */
void api_apply_tag_specs(struct api_request *, struct resource *, const char *tag_type);
/* Writes r's tags as member 'member' ("Tags" -> tagSet) of 'st'. */
void api_format_tags(struct oval *st, const char *member, const struct resource *);

/* One filter as the request names it, before it is checked against a kind's
 * filter table. */
struct api_filter_spec {
    const char *name;
    const char *const *patterns;
    size_t n_patterns;
    bool has_wildcard;              /* some pattern uses '*', '?' or '\' */
};

/* Decodes the action's Filters member (DescribeNatGateways calls it Filter):
 * at most FILTERS_MAX, each with a Name (MissingParameter otherwise).  Sets
 * '*specs' (arena) and '*n'; an action without filters gives none. */
int api_decode_filter_specs(struct api_request *, struct api_filter_spec **specs, size_t *n);

/* The generic Describe: candidates from the id list member 'ids_member' (each
 * must exist: NotFound), else from the vpc-id filter's VPCs (no scan of the
 * account), else the whole scope; then 'Filters' against 'defs', creation
 * order, and MaxResults/NextToken when the action has them.  Sets '*out' to an
 * arena array of matches and '*next_token' (NULL on the last page).  Returns
 * 0 or -1. */
int api_describe(struct api_request *, enum res_kind, const char *ids_member,
                 const struct filter_def *defs, size_t n_defs, struct resource ***out,
                 size_t *n_out, const char **next_token);

/* Formatting helpers for output structures. */
void api_set_prefix4(struct oval *st, const char *member, const struct ip4_prefix *);
void api_set_ip4(struct oval *st, const char *member, uint32_t addr);
void api_set_time(struct oval *st, const char *member, int64_t t);

#endif

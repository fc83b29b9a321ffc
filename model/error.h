/* Everything a client can be told, in one registry (BIRD doc/reply_codes):
 * each AWS error code with its HTTP status.  Model operations that AWS could
 * refuse fill a 'struct error' with a code and a message that names the
 * offending id or value; api/ only serialises it. */
#ifndef VPCD_MODEL_ERROR_H
#define VPCD_MODEL_ERROR_H

#include <stdbool.h>

/* ERR(ENUM_SUFFIX, "AwsCode", http_status) */
#define AWS_ERRORS \
    ERR(NONE, "", 200) \
    /* protocol and authentication */ \
    ERR(MISSING_ACTION, "MissingAction", 400) \
    ERR(INVALID_ACTION, "InvalidAction", 400) \
    ERR(UNKNOWN_PARAMETER, "UnknownParameter", 400) \
    ERR(MISSING_PARAMETER, "MissingParameter", 400) \
    ERR(INVALID_PARAMETER, "InvalidParameter", 400) \
    ERR(INVALID_PARAMETER_VALUE, "InvalidParameterValue", 400) \
    ERR(INVALID_PARAMETER_COMBINATION, "InvalidParameterCombination", 400) \
    ERR(INVALID_QUERY_PARAMETER, "InvalidQueryParameter", 400) \
    ERR(MALFORMED_QUERY_STRING, "MalformedQueryString", 400) \
    ERR(INVALID_NEXT_TOKEN, "InvalidNextToken", 400) \
    ERR(REQUEST_ENTITY_TOO_LARGE, "RequestEntityTooLarge", 413) \
    ERR(MISSING_AUTHENTICATION_TOKEN, "MissingAuthenticationToken", 401) \
    ERR(INCOMPLETE_SIGNATURE, "IncompleteSignature", 400) \
    ERR(AUTH_FAILURE, "AuthFailure", 401) \
    /* what EC2 answers (with 400) for a resource a service manages, e.g. a NAT \
     * gateway's Elastic IP */ \
    ERR(RESOURCE_AUTH_FAILURE, "AuthFailure", 400) \
    ERR(SIGNATURE_DOES_NOT_MATCH, "SignatureDoesNotMatch", 403) \
    ERR(REQUEST_EXPIRED, "RequestExpired", 400) \
    ERR(INVALID_CLIENT_TOKEN_ID, "InvalidClientTokenId", 403) \
    ERR(DRY_RUN_OPERATION, "DryRunOperation", 412) \
    ERR(UNAUTHORIZED_OPERATION, "UnauthorizedOperation", 403) \
    ERR(IDEMPOTENT_PARAMETER_MISMATCH, "IdempotentParameterMismatch", 400) \
    ERR(INTERNAL_ERROR, "InternalError", 500) \
    ERR(UNAVAILABLE, "Unavailable", 503) \
    /* not found */ \
    ERR(VPC_NOT_FOUND, "InvalidVpcID.NotFound", 400) \
    ERR(SUBNET_NOT_FOUND, "InvalidSubnetID.NotFound", 400) \
    ERR(ROUTE_TABLE_NOT_FOUND, "InvalidRouteTableID.NotFound", 400) \
    ERR(ROUTE_NOT_FOUND, "InvalidRoute.NotFound", 400) \
    ERR(GATEWAY_NOT_FOUND, "InvalidGatewayID.NotFound", 400) \
    ERR(VPC_PEERING_CONNECTION_NOT_FOUND, "InvalidVpcPeeringConnectionID.NotFound", 400) \
    ERR(TRANSIT_GATEWAY_NOT_FOUND, "InvalidTransitGatewayID.NotFound", 400) \
    ERR(VPC_ENDPOINT_NOT_FOUND, "InvalidVpcEndpointId.NotFound", 400) \
    ERR(NETWORK_ACL_NOT_FOUND, "InvalidNetworkAclID.NotFound", 400) \
    ERR(NETWORK_ACL_ENTRY_NOT_FOUND, "InvalidNetworkAclEntry.NotFound", 400) \
    ERR(GROUP_NOT_FOUND, "InvalidGroup.NotFound", 400) \
    ERR(GROUP_ID_NOT_FOUND, "InvalidGroupId.NotFound", 400) \
    ERR(SECURITY_GROUP_RULE_NOT_FOUND, "InvalidSecurityGroupRuleId.NotFound", 400) \
    ERR(PERMISSION_NOT_FOUND, "InvalidPermission.NotFound", 400) \
    ERR(INTERNET_GATEWAY_NOT_FOUND, "InvalidInternetGatewayID.NotFound", 400) \
    ERR(NETWORK_INTERFACE_NOT_FOUND, "InvalidNetworkInterfaceID.NotFound", 400) \
    ERR(INSTANCE_NOT_FOUND, "InvalidInstanceID.NotFound", 400) \
    ERR(ALLOCATION_NOT_FOUND, "InvalidAllocationID.NotFound", 400) \
    ERR(ASSOCIATION_NOT_FOUND, "InvalidAssociationID.NotFound", 400) \
    ERR(ATTACHMENT_NOT_FOUND, "InvalidAttachmentID.NotFound", 400) \
    ERR(ADDRESS_NOT_FOUND, "InvalidAddress.NotFound", 400) \
    ERR(NAT_GATEWAY_NOT_FOUND, "NatGatewayNotFound", 400) \
    ERR(DHCP_OPTIONS_NOT_FOUND, "InvalidDhcpOptionID.NotFound", 400) \
    ERR(ID_NOT_FOUND, "InvalidID", 400) \
    /* malformed ids */ \
    ERR(VPC_ID_MALFORMED, "InvalidVpcID.Malformed", 400) \
    ERR(SUBNET_ID_MALFORMED, "InvalidSubnetID.Malformed", 400) \
    ERR(ROUTE_TABLE_ID_MALFORMED, "InvalidRouteTableID.Malformed", 400) \
    ERR(NETWORK_ACL_ID_MALFORMED, "InvalidNetworkAclID.Malformed", 400) \
    ERR(GROUP_ID_MALFORMED, "InvalidGroupId.Malformed", 400) \
    ERR(INTERNET_GATEWAY_ID_MALFORMED, "InvalidInternetGatewayID.Malformed", 400) \
    ERR(NETWORK_INTERFACE_ID_MALFORMED, "InvalidNetworkInterfaceID.Malformed", 400) \
    ERR(INSTANCE_ID_MALFORMED, "InvalidInstanceID.Malformed", 400) \
    ERR(ALLOCATION_ID_MALFORMED, "InvalidAllocationID.Malformed", 400) \
    ERR(NAT_GATEWAY_ID_MALFORMED, "InvalidNatGatewayID.Malformed", 400) \
    ERR(ADDRESS_MALFORMED, "InvalidAddress.Malformed", 400) \
    ERR(SECURITY_GROUP_RULE_ID_MALFORMED, "InvalidSecurityGroupRuleId.Malformed", 400) \
    ERR(PREFIX_LIST_ID_MALFORMED, "InvalidPrefixListId.Malformed", 400) \
    /* ranges, conflicts, duplicates */ \
    ERR(VPC_RANGE, "InvalidVpc.Range", 400) \
    ERR(SUBNET_RANGE, "InvalidSubnet.Range", 400) \
    ERR(SUBNET_CONFLICT, "InvalidSubnet.Conflict", 400) \
    ERR(ROUTE_ALREADY_EXISTS, "RouteAlreadyExists", 400) \
    ERR(INVALID_ROUTE_DESTINATION, "InvalidRoute.InvalidState", 400) \
    ERR(NETWORK_ACL_ENTRY_ALREADY_EXISTS, "NetworkAclEntryAlreadyExists", 400) \
    ERR(GROUP_DUPLICATE, "InvalidGroup.Duplicate", 400) \
    ERR(GROUP_RESERVED, "InvalidGroup.Reserved", 400) \
    ERR(PERMISSION_DUPLICATE, "InvalidPermission.Duplicate", 400) \
    ERR(PERMISSION_MALFORMED, "InvalidPermission.Malformed", 400) \
    ERR(IP_ADDRESS_IN_USE, "InvalidIPAddress.InUse", 400) \
    ERR(INSUFFICIENT_FREE_ADDRESSES, "InsufficientFreeAddressesInSubnet", 400) \
    ERR(RESOURCE_ALREADY_ASSOCIATED, "Resource.AlreadyAssociated", 400) \
    ERR(GATEWAY_NOT_ATTACHED, "Gateway.NotAttached", 400) \
    ERR(DEFAULT_VPC_ALREADY_EXISTS, "DefaultVpcAlreadyExists", 400) \
    ERR(DEFAULT_SUBNET_ALREADY_EXISTS, "DefaultSubnetAlreadyExistsInAvailabilityZone", 400) \
    ERR(DEFAULT_VPC_DOES_NOT_EXIST, "DefaultVpcDoesNotExist", 400) \
    ERR(NO_DEFAULT_VPC, "VPCIdNotSpecified", 400) \
    ERR(NETWORK_INTERFACE_IN_USE, "InvalidNetworkInterface.InUse", 400) \
    /* lifecycle */ \
    ERR(DEPENDENCY_VIOLATION, "DependencyViolation", 400) \
    ERR(CANNOT_DELETE, "CannotDelete", 400) \
    ERR(OPERATION_NOT_PERMITTED, "OperationNotPermitted", 400) \
    ERR(INCORRECT_STATE, "IncorrectState", 400) \
    ERR(INVALID_STATE, "InvalidState", 400) \
    /* limits */ \
    ERR(VPC_LIMIT_EXCEEDED, "VpcLimitExceeded", 400) \
    ERR(SUBNET_LIMIT_EXCEEDED, "SubnetLimitExceeded", 400) \
    ERR(CIDR_LIMIT_EXCEEDED, "CidrLimitExceeded", 400) \
    ERR(ROUTE_TABLE_LIMIT_EXCEEDED, "RouteTableLimitExceeded", 400) \
    ERR(ROUTE_LIMIT_EXCEEDED, "RouteLimitExceeded", 400) \
    ERR(NETWORK_ACL_LIMIT_EXCEEDED, "NetworkAclLimitExceeded", 400) \
    ERR(NETWORK_ACL_ENTRY_LIMIT_EXCEEDED, "NetworkAclEntryLimitExceeded", 400) \
    ERR(SECURITY_GROUP_LIMIT_EXCEEDED, "SecurityGroupLimitExceeded", 400) \
    ERR(RULES_PER_SECURITY_GROUP_LIMIT_EXCEEDED, "RulesPerSecurityGroupLimitExceeded", 400) \
    ERR(SECURITY_GROUPS_PER_INTERFACE_LIMIT_EXCEEDED, \
        "SecurityGroupsPerInterfaceLimitExceeded", 400) \
    ERR(INTERNET_GATEWAY_LIMIT_EXCEEDED, "InternetGatewayLimitExceeded", 400) \
    ERR(ADDRESS_LIMIT_EXCEEDED, "AddressLimitExceeded", 400) \
    ERR(INSUFFICIENT_ADDRESS_CAPACITY, "InsufficientAddressCapacity", 400) \
    ERR(NAT_GATEWAY_LIMIT_EXCEEDED, "NatGatewayLimitExceeded", 400) \
    ERR(PRIVATE_IP_ADDRESS_LIMIT_EXCEEDED, "PrivateIpAddressLimitExceeded", 400) \
    ERR(TAG_LIMIT_EXCEEDED, "TagLimitExceeded", 400) \
    ERR(INCORRECT_INSTANCE_STATE, "IncorrectInstanceState", 400) \
    ERR(INSTANCE_ID_INVALID, "InvalidInstanceID", 400) \
    ERR(AMI_ID_MALFORMED, "InvalidAMIID.Malformed", 400) \
    ERR(INSTANCE_LIMIT_EXCEEDED, "InstanceLimitExceeded", 400) \
    ERR(ATTACHMENT_LIMIT_EXCEEDED, "AttachmentLimitExceeded", 400)

enum err_code {
#define ERR(NAME, CODE, STATUS) ERR_##NAME,
    AWS_ERRORS
#undef ERR
    N_ERR_CODES
};

enum { ERROR_MESSAGE_SIZE = 512 };

/* What went wrong, as the client will be told. */
struct error {
    enum err_code code;
    char message[ERROR_MESSAGE_SIZE];
};

const char *err_code_name(enum err_code);       /* "InvalidVpcID.NotFound" */
int err_code_status(enum err_code);             /* HTTP status */

/* Fills 'err' and returns -1, so rule checks can 'return err_set(...)'.
 * 'err' may be NULL when the caller does not want the message. */
int err_set(struct error *err, enum err_code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void err_clear(struct error *);
static inline bool
err_is_set(const struct error *err)
{
    return err->code != ERR_NONE;
}

#endif

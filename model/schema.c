/* schema.h: the kind -> schema table and the generic free. */
#include "model/schema.h"

#include <stdlib.h>

#include "lib/util.h"

extern const struct schema vpc_schema, subnet_schema, route_table_schema, network_acl_schema,
    security_group_schema, internet_gateway_schema, address_schema, network_interface_schema,
    nat_gateway_schema, instance_schema;

const struct schema *
model_schema(enum res_kind kind)
{
    switch (kind) {
    case RES_VPC: return &vpc_schema;
    case RES_SUBNET: return &subnet_schema;
    case RES_ROUTE_TABLE: return &route_table_schema;
    case RES_NETWORK_ACL: return &network_acl_schema;
    case RES_SECURITY_GROUP: return &security_group_schema;
    case RES_INTERNET_GATEWAY: return &internet_gateway_schema;
    case RES_ADDRESS: return &address_schema;
    case RES_NETWORK_INTERFACE: return &network_interface_schema;
    case RES_NAT_GATEWAY: return &nat_gateway_schema;
    case RES_INSTANCE: return &instance_schema;
    case N_RES_KINDS: break;
    }
    NOT_REACHED();
}

void
schema_free_fields(const struct field *fields, size_t n_fields, void *obj)
{
    char *base = obj;

    for (size_t i = 0; i < n_fields; i++) {
        const struct field *f = &fields[i];
        char *p = base + f->offset;
        switch (f->type) {
        case FIELD_PSTR:
            free(*(char **) p);
            *(char **) p = NULL;
            break;
        case FIELD_ARRAY:
        case FIELD_FIXED_ARRAY: {
            size_t *count = (size_t *) (void *) (base + f->count_offset);
            char *elems = f->type == FIELD_ARRAY ? *(char **) p : p;
            for (size_t j = 0; elems && j < *count; j++) {
                schema_free_fields(f->sub, f->n_sub, elems + j * f->size);
            }
            if (f->type == FIELD_ARRAY) {
                free(elems);
                *(char **) p = NULL;
            }
            *count = 0;
            break;
        }
        default:
            break;
        }
    }
}

#!/usr/bin/python3
"""Generates api/shapes.gen.c, the C tables of api/shapes.h.

Reads botocore's EC2 model (found through botocore.__file__, so run it with the
Python that has Debian's python3-botocore: /usr/bin/python3 api/gen_shapes.py)
and api/operations.txt (one action per line, '#' starts a comment), and writes
one 'struct shape' per shape reachable from those actions' input and output
shapes, plus the operation table sorted by name for a binary search.

Wire names follow botocore's ec2 serializer (botocore/serialize.py,
EC2Serializer._get_serialized_name) and its query parser:
  query_name       member's queryName, else its locationName with the first
                   letter upper-cased, else the member name;
  xml_name         member's locationName, else the member name;
  member_xml_name  a list's member locationName, else "member".
Documentation is dropped.  The output is committed; CI does not run this.
"""

import json
import os
import re
import sys

import botocore

HERE = os.path.dirname(os.path.abspath(__file__))
OPERATIONS = os.path.join(HERE, "operations.txt")
OUTPUT = os.path.join(HERE, "shapes.gen.c")

TYPES = {
    "structure": "SHAPE_STRUCTURE",
    "list": "SHAPE_LIST",
    "map": "SHAPE_MAP",
    "string": "SHAPE_STRING",
    "integer": "SHAPE_INTEGER",
    "long": "SHAPE_LONG",
    "boolean": "SHAPE_BOOLEAN",
    "double": "SHAPE_DOUBLE",
    "float": "SHAPE_FLOAT",
    "timestamp": "SHAPE_TIMESTAMP",
    "blob": "SHAPE_BLOB",
}


# Values EC2 accepts beyond those botocore's model lists (botocore checks no
# enum; our decoder does): DescribeAccountAttributes documents six attribute
# names, its enum has two.
ENUM_EXTRA = {
    "AccountAttributeName": ["max-instances", "vpc-max-security-groups-per-interface",
                             "max-elastic-ips", "vpc-max-elastic-ips"],
}


def fail(msg):
    sys.stderr.write("gen_shapes.py: %s\n" % msg)
    sys.exit(1)


def model_path():
    return os.path.join(os.path.dirname(botocore.__file__), "data", "ec2", "2016-11-15",
                        "service-2.json")


def read_operations(path):
    ops = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            name = line.split("#", 1)[0].strip()
            if name:
                if not re.fullmatch(r"[A-Za-z0-9]+", name):
                    fail("%s: bad action name %r" % (path, name))
                if name in ops:
                    fail("%s: %s listed twice" % (path, name))
                ops.append(name)
    return ops


def c_string(s):
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= o < 0x7f:
            out.append(ch)
        else:
            # Octal escapes of the UTF-8 bytes: never swallow a following digit.
            out.extend("\\%03o" % b for b in ch.encode("utf-8"))
    out.append('"')
    return "".join(out)


def emit_wrapped(w, head, fields, tail, width=100):
    """Writes 'head' + 'fields' joined by ", " + 'tail', wrapped under the first field."""
    indent = " " * len(head)
    line = head
    for i, field in enumerate(fields):
        text = field + (tail if i == len(fields) - 1 else ",")
        sep = "" if line in (head, indent) else " "
        if sep and len(line) + 1 + len(text) > width:
            w(line)
            line, sep = indent, ""
        line += sep + text
    w(line)


class Namer:
    """Safe, unique C identifiers for shape names."""

    def __init__(self):
        self.names = {}
        self.used = set()

    def ident(self, shape_name):
        if shape_name not in self.names:
            base = re.sub(r"[^A-Za-z0-9_]", "_", shape_name)
            ident, n = base, 2
            while ident in self.used:
                ident, n = "%s_%d" % (base, n), n + 1
            self.used.add(ident)
            self.names[shape_name] = ident
        return self.names[shape_name]


def reachable(shapes, roots):
    order, seen = [], set()
    stack = list(reversed(roots))
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        if name not in shapes:
            fail("shape %s is not in the model" % name)
        seen.add(name)
        order.append(name)
        shape = shapes[name]
        kids = []
        if shape["type"] == "structure":
            kids = [m["shape"] for m in shape.get("members", {}).values()]
        elif shape["type"] == "list":
            kids = [shape["member"]["shape"]]
        elif shape["type"] == "map":
            fail("shape %s is a map: shapes.h has no key/value fields for it" % name)
        stack.extend(reversed(kids))
    return order


def query_name(member_name, member):
    if "queryName" in member:
        return member["queryName"]
    if "locationName" in member:
        loc = member["locationName"]
        return loc[:1].upper() + loc[1:]
    return member_name


def generate(model, version, ops):
    shapes = model["shapes"]
    roots = []
    table = []
    for op_name in ops:
        op = model["operations"].get(op_name)
        if op is None:
            fail("operation %s is not in the model" % op_name)
        inp = op.get("input", {}).get("shape")
        out = op.get("output", {}).get("shape")
        if inp is None:
            fail("operation %s has no input shape" % op_name)
        roots.append(inp)
        if out is not None:
            roots.append(out)
        table.append((op_name, inp, out))
    # Alphabetical, so a change to operations.txt gives a readable diff.
    names = sorted(reachable(shapes, roots), key=lambda n: n.encode("ascii"))
    namer = Namer()
    for name in names:
        namer.ident(name)

    lines = []
    w = lines.append
    w("/* Generated by api/gen_shapes.py from botocore's EC2 model (version %s); do not edit."
      % version)
    w(" * The actions are those of api/operations.txt; see api/shapes.h. */")
    w('#include "api/shapes.h"')
    w("")
    w("#include <stddef.h>")
    w("")
    w("/* Every shape, declared first: shapes refer to each other in any order. */")
    for name in names:
        w("static const struct shape shape_%s;" % namer.ident(name))
    w("")

    for name in names:
        shape = shapes[name]
        ident = namer.ident(name)
        kind = shape["type"]
        if kind not in TYPES:
            fail("shape %s has unknown type %s" % (name, kind))
        if kind == "structure" and shape.get("members"):
            required = set(shape.get("required", []))
            for r in required:
                if r not in shape["members"]:
                    fail("shape %s requires unknown member %s" % (name, r))
            wire = [query_name(k, v) for k, v in shape["members"].items()]
            if len(set(wire)) != len(wire):
                fail("shape %s: two members share a query name" % name)
            w("static const struct shape_member members_%s[] = {" % ident)
            for mname, member in shape["members"].items():
                fields = [c_string(mname), c_string(query_name(mname, member)),
                          c_string(member.get("locationName", mname)),
                          "&shape_%s" % namer.ident(member["shape"]),
                          "true" if mname in required else "false"]
                emit_wrapped(w, "    { ", fields, " },")
            w("};")
        if kind == "string" and shape.get("enum"):
            w("static const char *const enum_%s[] = {" % ident)
            for value in shape["enum"]:
                w("    %s," % c_string(value))
            w("};")
        w("static const struct shape shape_%s = {" % ident)
        w("    .name = %s," % c_string(name))
        w("    .type = %s," % TYPES[kind])
        if kind == "structure" and shape.get("members"):
            w("    .members = members_%s," % ident)
            w("    .n_members = %d," % len(shape["members"]))
        if kind == "list":
            member = shape["member"]
            w("    .member = &shape_%s," % namer.ident(member["shape"]))
            w("    .member_xml_name = %s," % c_string(member.get("locationName", "member")))
        if kind == "string" and shape.get("enum"):
            w("    .enum_values = enum_%s," % ident)
            w("    .n_enum = %d," % len(shape["enum"]))
        if kind in ("integer", "long"):
            for bound in ("min", "max"):
                if bound in shape:
                    value = int(shape[bound])
                    w("    .has_%s = true," % bound)
                    w("    .%s = INT64_C(%d)," % (bound, value))
        w("};")
        w("")

    w("/* Sorted by name for shapes_find_operation()'s binary search. */")
    w("const struct api_operation shapes_operations[] = {")
    for op_name, inp, out in sorted(table, key=lambda t: t[0].encode("ascii")):
        emit_wrapped(w, "    { ", [c_string(op_name), "&shape_%s" % namer.ident(inp),
                                  "&shape_%s" % namer.ident(out) if out else "NULL"], " },")
    w("};")
    w("const size_t shapes_n_operations = sizeof shapes_operations / sizeof shapes_operations[0];")
    return "\n".join(lines) + "\n"


def main():
    path = model_path()
    with open(path, encoding="utf-8") as f:
        model = json.load(f)
    if model.get("metadata", {}).get("protocol") != "ec2":
        fail("%s: not an ec2-protocol model" % path)
    for name, extra in ENUM_EXTRA.items():
        enum = model["shapes"][name]["enum"]
        enum.extend(v for v in extra if v not in enum)
    ops = read_operations(OPERATIONS)
    text = generate(model, botocore.__version__, ops)
    tmp = OUTPUT + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, OUTPUT)
    print("gen_shapes.py: wrote %s (%d actions, botocore %s)"
          % (os.path.relpath(OUTPUT), len(ops), botocore.__version__))


if __name__ == "__main__":
    main()

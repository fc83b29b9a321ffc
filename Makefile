# vpcd build.  `make` builds build/vpcd and build/vpcctl; `make test` runs the
# unit tests and the integration tests under ASan/UBSan; `make run` starts vpcd.
# The first target of each installs missing Debian packages (scripts/install-deps.sh).
# Quiet unless V=1.  BUILD=dir puts every output under dir (default build).

BUILD ?= build
CC ?= cc
PKGS := libmicrohttpd sqlite3 openssl jansson liburing
V ?= 0
ifeq ($(V),0)
Q := @
else
Q :=
endif

# popcnt makes the LPM lookup (net/lpm.h) 2-4x faster; every x86-64 since ~2008 has it.
ifeq ($(shell uname -m),x86_64)
ARCH_FLAGS = -mpopcnt
endif

CFLAGS_COMMON = $(ARCH_FLAGS) -std=c17 -Wall -Wextra -Werror -D_GNU_SOURCE -I. -MMD -MP \
    $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread
OPT_FLAGS = -O2 -g
SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

LIB_SRCS := $(sort $(wildcard lib/*.c net/*.c model/*.c store/*.c api/*.c pipeline/*.c \
                              dataplane/*.c flowlog/*.c))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
BENCH_SRCS := $(sort $(wildcard bench/*.c))

REL := $(BUILD)
SAN := $(BUILD)/san

REL_LIB_OBJS := $(LIB_SRCS:%.c=$(REL)/obj/%.o)
SAN_LIB_OBJS := $(LIB_SRCS:%.c=$(SAN)/obj/%.o)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(SAN)/tests/%)
BENCH_BINS := $(BENCH_SRCS:bench/%.c=$(REL)/bench/%)

.PHONY: all deps build build-san test test-run unit integ run bench clean
all: deps
	$(Q)$(MAKE) --no-print-directory build

deps:
	$(Q)sh scripts/install-deps.sh

build: $(REL)/vpcd $(REL)/vpcctl $(BENCH_BINS)
build-san: $(SAN)/vpcd $(SAN)/vpcctl $(UNIT_BINS)

$(REL)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@[ "$(V)" != 0 ] || echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_COMMON) $(OPT_FLAGS) $(CFLAGS) -c $< -o $@

$(SAN)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@[ "$(V)" != 0 ] || echo "  CC san  $<"
	$(Q)$(CC) $(CFLAGS_COMMON) $(SAN_FLAGS) $(CFLAGS) -c $< -o $@

$(REL)/libvpcd.a: $(REL_LIB_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^
$(SAN)/libvpcd.a: $(SAN_LIB_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(REL)/%: $(REL)/obj/%.o $(REL)/libvpcd.a
	@[ "$(V)" != 0 ] || echo "  LD      $@"
	$(Q)$(CC) $(OPT_FLAGS) $^ $(LDLIBS) -o $@
$(SAN)/vpcd $(SAN)/vpcctl: $(SAN)/%: $(SAN)/obj/%.o $(SAN)/libvpcd.a
	@[ "$(V)" != 0 ] || echo "  LD san  $@"
	$(Q)$(CC) $(SAN_FLAGS) $^ $(LDLIBS) -o $@
$(SAN)/tests/%: $(SAN)/obj/tests/unit/%.o $(SAN)/obj/tests/unit/testlib.o $(SAN)/libvpcd.a
	@mkdir -p $(dir $@)
	@[ "$(V)" != 0 ] || echo "  LD san  $@"
	$(Q)$(CC) $(SAN_FLAGS) $^ $(LDLIBS) -o $@
$(REL)/bench/%: $(REL)/obj/bench/%.o $(REL)/libvpcd.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(OPT_FLAGS) $^ $(LDLIBS) -o $@

test: deps
	$(Q)$(MAKE) --no-print-directory test-run

test-run: build-san
	$(Q)$(MAKE) --no-print-directory unit integ

unit: $(UNIT_BINS)
	$(Q)sh tests/run-unit.sh $(UNIT_BINS)

integ: $(SAN)/vpcd $(SAN)/vpcctl
	$(Q)VPCD_BIN=$(abspath $(SAN)/vpcd) VPCCTL_BIN=$(abspath $(SAN)/vpcctl) \
	    /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integ $(PYTEST_ARGS)

run: deps
	$(Q)$(MAKE) --no-print-directory build
	$(REL)/vpcd $(VPCD_ARGS)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
.SECONDARY:

# citysoc — one non-recursive Makefile. `make` builds, `make test` runs every test,
# `make SAN=1 test` does so under ASan+UBSan, `make demo`, `make bench`, `make CC=clang fuzz`.
.DEFAULT_GOAL := all
SHELL := /bin/bash

SAN ?= 0
CC ?= cc
PKGS := libpcap yaml-0.1 libcrypto libpcre2-8 libhs zlib libzstd
BUILD := build
ifeq ($(SAN),1)
BUILD := build-san
endif

# The hub's libraries (only hub binaries and tests link them).
HUB_PKGS := libmicrohttpd sqlite3 libpq libargon2 libzstd

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) $(HUB_PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
HUB_LIBS := $(shell pkg-config --libs $(HUB_PKGS) 2>/dev/null)

OPT ?= -O2
WARN := -Wall -Wextra -Wshadow -Wno-unused-parameter -Werror
CFLAGS := -std=c11 -D_GNU_SOURCE $(OPT) -g $(WARN) -pthread -MMD -MP $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDLIBS := $(PKG_LIBS) -lpthread -lm
ifeq ($(SAN),1)
CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -DCS_FAULTSIM
LDFLAGS += -fsanitize=address,undefined
endif

# ---- sources ------------------------------------------------------------------------------
SENSOR_DIRS := sensor/decode sensor/flow sensor/stream sensor/app sensor/detect sensor/output sensor/capture sensor/upload
LIB_SRCS := $(filter-out %_test.c,$(wildcard lib/*.c))
GM_SRCS := $(filter-out %_test.c,$(wildcard gm/*.c))
COMMON_SRCS := sensor/pkt.c sensor/config.c
MOD_SRCS := $(filter-out %_test.c,$(foreach d,$(SENSOR_DIRS),$(wildcard $(d)/*.c)))
SENSOR_SRCS := $(COMMON_SRCS) $(MOD_SRCS) $(filter-out sensor/main.c %_test.c sensor/pkt.c sensor/config.c,$(wildcard sensor/*.c))
# The hub: every .c under hub/ (any depth) except its main and the tests.
HUB_ALL := $(shell find hub -name '*.c' 2>/dev/null | sort)
HUB_SRCS := $(filter-out hub/main.c %_test.c,$(HUB_ALL))
# The citysoc command: cli/*.c over the hub library.
CLI_SRCS := $(filter-out %_test.c,$(wildcard cli/*.c))
HUB_TEST_SRCS := $(filter %_test.c,$(HUB_ALL))
TEST_SRCS := $(wildcard lib/*_test.c gm/*_test.c sensor/*_test.c $(foreach d,$(SENSOR_DIRS),$(d)/*_test.c)) $(HUB_TEST_SRCS)
FUZZ_SRCS := $(filter-out fuzz/replay.c,$(wildcard fuzz/fuzz_*.c))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
LIB_OBJS := $(call obj,$(LIB_SRCS))
GM_OBJS := $(call obj,$(GM_SRCS))
COMMON_OBJS := $(call obj,$(COMMON_SRCS))
SENSOR_OBJS := $(call obj,$(SENSOR_SRCS))
HUB_OBJS := $(call obj,$(HUB_SRCS))
# The sensor signs its hub uploads with gm/ and the hub's own batch-signature code.
SENSOR_GM_OBJS := $(GM_OBJS) $(call obj,hub/auth/sensor_sig.c hub/auth/b64.c)

SENSOR_BIN := $(BUILD)/citysoc-sensor
HUB_BINS := $(if $(wildcard hub/main.c),$(BUILD)/citysoc-hub) $(if $(CLI_SRCS),$(BUILD)/citysoc)
TEST_BINS := $(patsubst %.c,$(BUILD)/tests/%,$(TEST_SRCS))
REPLAY_BINS := $(patsubst fuzz/%.c,$(BUILD)/fuzz/replay_%,$(FUZZ_SRCS))

# The console's chart library, copied from npm (web/node_modules, `npm ci`) next to the
# console so the hub serves it (no CDN). Without node_modules the console runs without charts.
WEB_VENDOR := $(if $(wildcard web/node_modules/echarts/dist/echarts.min.js),web/vendor/echarts.min.js)

all: $(SENSOR_BIN) $(HUB_BINS) $(TEST_BINS) $(REPLAY_BINS) $(BUILD)/bench/pcap_baseline $(BUILD)/bench/gen_flows $(BUILD)/bench/norm_bench $(BUILD)/bench/hub_fill $(WEB_VENDOR)

web/vendor/echarts.min.js: web/node_modules/echarts/dist/echarts.min.js
	@mkdir -p $(dir $@)
	cp $< $@

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(SENSOR_BIN): $(call obj,sensor/main.c) $(SENSOR_OBJS) $(SENSOR_GM_OBJS) $(LIB_OBJS)
	$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/citysoc-hub: $(call obj,hub/main.c) $(HUB_OBJS) $(GM_OBJS) $(LIB_OBJS)
	$(CC) $(LDFLAGS) $^ -o $@ $(HUB_LIBS) $(LDLIBS)

$(BUILD)/citysoc: $(call obj,$(CLI_SRCS)) $(HUB_OBJS) $(GM_OBJS) $(LIB_OBJS)
	$(CC) $(LDFLAGS) $^ -o $@ $(HUB_LIBS) $(LDLIBS)

# A unit test links the non-test objects of its own directory plus lib/ and the sensor's
# common objects, so a module's tests build even while another module is half-written.
# Tests in sensor/ itself, sensor/app/ and sensor/detect/ (they run the whole pipeline) link
# everything.
define test_rule
$(BUILD)/tests/$(basename $(1)): $(call obj,$(1)) $(if $(filter sensor/%,$(dir $(1))),$(if $(filter sensor/ sensor/app/ sensor/detect/,$(dir $(1))),$(SENSOR_OBJS),$(call obj,$(filter-out %_test.c,$(wildcard $(dir $(1))*.c))) $(COMMON_OBJS)) $(SENSOR_GM_OBJS)) $(if $(filter gm/,$(dir $(1))),$(GM_OBJS)) $(LIB_OBJS)
	@mkdir -p $$(dir $$@)
	$(CC) $(LDFLAGS) $$^ -o $$@ $(LDLIBS)
endef
$(foreach t,$(filter-out hub/%,$(TEST_SRCS)),$(eval $(call test_rule,$(t))))

# Hub tests link the whole hub library (hub/**, gm, lib).
define hub_test_rule
$(BUILD)/tests/$(basename $(1)): $(call obj,$(1)) $(HUB_OBJS) $(GM_OBJS) $(LIB_OBJS)
	@mkdir -p $$(dir $$@)
	$(CC) $(LDFLAGS) $$^ -o $$@ $(HUB_LIBS) $(LDLIBS)
endef
$(foreach t,$(HUB_TEST_SRCS),$(eval $(call hub_test_rule,$(t))))

# Fuzz targets: under gcc they link with fuzz/replay.c (runs each corpus file once) and
# replay their corpus in `make test`; `make CC=clang fuzz` builds real libFuzzer binaries.
$(BUILD)/fuzz/replay_%: $(call obj,fuzz/%.c) $(call obj,fuzz/replay.c) $(SENSOR_OBJS) $(HUB_OBJS) $(GM_OBJS) $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ -o $@ $(HUB_LIBS) $(LDLIBS)

FUZZ_BUILD := build-fuzz
fuzz:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang EXTRA_CFLAGS="-fsanitize=fuzzer-no-link,address,undefined -DCS_FUZZING" \
	  $(patsubst fuzz/%.c,$(FUZZ_BUILD)/fuzz/%,$(FUZZ_SRCS))
$(FUZZ_BUILD)/fuzz/%: $(FUZZ_BUILD)/obj/fuzz/%.o $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(SENSOR_SRCS) $(HUB_SRCS) $(GM_SRCS) $(LIB_SRCS))
	@mkdir -p $(dir $@)
	clang -fsanitize=fuzzer,address,undefined $^ -o $@ $(HUB_LIBS) $(LDLIBS)

$(BUILD)/bench/pcap_baseline: $(call obj,bench/pcap_baseline.c) $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/bench/gen_flows: $(call obj,bench/gen_flows.c) $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/bench/norm_bench: $(call obj,bench/norm_bench.c) $(HUB_OBJS) $(GM_OBJS) $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ -o $@ $(HUB_LIBS) $(LDLIBS)

$(BUILD)/bench/hub_fill: $(call obj,bench/hub_fill.c) $(HUB_OBJS) $(GM_OBJS) $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ -o $@ $(HUB_LIBS) $(LDLIBS)

# ---- the two commands ---------------------------------------------------------------------
deps:
	@scripts/deps.sh

test: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) SAN=$(SAN) tests/run.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh $(BUILD)

bench: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) bench/run.sh

# docs/screenshots/*.png: each main screen of the console over the demo data.
screenshots: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) tests/web/screenshots.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-san build-fuzz

.SECONDARY:
.PHONY: all deps test demo bench fuzz format clean screenshots

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

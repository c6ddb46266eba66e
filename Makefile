# SPDX-License-Identifier: MIT
# rmmhunt: bpf/*.bpf.c -> build/bpf/*.bpf.o -> build/rmmhunt.bpf.o (linked) -> build/rmmhunt.skel.h
#          user/**/*.c -> build/user/**/*.o -> build/rmmhunt
OUTPUT    ?= build
CLANG     ?= clang
CC        ?= gcc
BPFTOOL   ?= bpftool
PREFIX    ?= /usr/local
DESTDIR   ?=
V         ?=
SANITIZE  ?=
# Debian's python3, whose pytest the deps install (not whatever python3 is first on PATH)
PYTHON    ?= /usr/bin/python3

ARCH := $(shell uname -m | sed 's/x86_64/x86/' | sed 's/aarch64/arm64/' \
			 | sed 's/ppc64le/powerpc/' | sed 's/mips.*/mips/' \
			 | sed 's/riscv64/riscv/' | sed 's/loongarch64/loongarch/')
VMLINUX := vmlinux/$(ARCH)/vmlinux.h
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

# the HTTP endpoint is our own (user/ops/httpd.c): see deploy/README.md for why
LIBS := libbpf libelf zlib jansson yaml-0.1 libcrypto sqlite3
PKG_CFLAGS := $(shell pkg-config --cflags $(LIBS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(LIBS) 2>/dev/null)

CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
	   -D_GNU_SOURCE -DRMMHUNT_VERSION='"$(VERSION)"' \
	   -I$(OUTPUT) -Iinclude -Iuser $(PKG_CFLAGS)
LDLIBS  += $(PKG_LIBS) -lpthread
ifeq ($(SANITIZE),1)
CC      := clang
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
OUTPUT  := build/asan
endif

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Iinclude -Ivmlinux/$(ARCH) -Wall \
	      -Wno-compare-distinct-pointer-types

BPF_SRCS   := $(wildcard bpf/*.bpf.c)
BPF_OBJS   := $(patsubst bpf/%.bpf.c,$(OUTPUT)/bpf/%.bpf.o,$(BPF_SRCS))
USER_SRCS  := $(shell find user -name '*.c' | sort)
USER_OBJS  := $(patsubst %.c,$(OUTPUT)/%.o,$(USER_SRCS))
UNIT_TESTS := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(UNIT_TESTS))

ifeq ($(V),1)
	Q =
	msg =
else
	Q = @
	msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.PHONY: all clean check test unit e2e run deps vmlinux fuzz bench static install uninstall image \
	test-kernels test-sanitize
all: $(OUTPUT)/rmmhunt

$(OUTPUT) $(OUTPUT)/bpf $(OUTPUT)/tests:
	$(call msg,MKDIR,$@)
	$(Q)mkdir -p $@

# Kernel side: one object per hook, linked into one object for one skeleton.
$(OUTPUT)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.bpf.h) include/events.h $(VMLINUX) | $(OUTPUT)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/rmmhunt.bpf.o: $(BPF_OBJS)
	$(call msg,BPFLINK,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(OUTPUT)/rmmhunt.skel.h: $(OUTPUT)/rmmhunt.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name rmmhunt_bpf > $@

# User side; the dependency files (-MMD) keep rebuilds exact after the first build.
$(OUTPUT)/user/%.o: user/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

# The objects that print the version (RMMHUNT_VERSION): rebuilt when VERSION changes.
$(addprefix $(OUTPUT)/user/,ops/metrics.o cmd/main.o cmd/run.o) $(OUTPUT)/tests/test_metrics: VERSION

# The default rule set is the rules/*.yaml files, compiled in.
$(OUTPUT)/rules_default.h: $(wildcard rules/*.yaml) scripts/embed-rules.sh | $(OUTPUT)
	$(call msg,EMBED,$@)
	$(Q)scripts/embed-rules.sh $(wildcard rules/*.yaml) > $@

# The generated headers, for the first build (the -MMD files name them after it): only
# ruleset.c embeds the rules, so editing a rule rebuilds one object; only loader.c
# includes the skeleton, so every other object, and so every unit test, builds
# without clang -target bpf or bpftool.
$(OUTPUT)/user/rules/ruleset.o: $(OUTPUT)/rules_default.h
$(OUTPUT)/user/capture/loader.o: $(OUTPUT)/rmmhunt.skel.h

$(OUTPUT)/rmmhunt: $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

-include $(USER_OBJS:.o=.d)

# Unit tests: tests/unit/test_<module>.c, cmocka; tests/unit/unit.mk says what each links.
include tests/unit/unit.mk

.SECONDEXPANSION:
$(OUTPUT)/tests/%: tests/unit/%.c $$(call unit_objs,$$*) tests/unit/unit.mk | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/unit -MMD -MP -MF $@.d -MT $@ $< $(call unit_objs,$*) $(LDFLAGS) \
		$(addprefix -Wl$(comma)--wrap=,$(UNIT_WRAP_$*)) $(LDLIBS) -lcmocka -o $@

-include $(UNIT_BINS:=.d)

unit: $(UNIT_BINS)
	$(Q)failed=0; for t in $(UNIT_BINS); do \
		echo "== $$t"; $$t || failed=1; done; exit $$failed

# The edit-compile-test loop: the monitor and the unit tests, no root, no installs.
check: $(OUTPUT)/rmmhunt
	$(Q)$(MAKE) --no-print-directory unit

e2e: $(OUTPUT)/rmmhunt
	$(Q)RMMHUNT=$(abspath $(OUTPUT)/rmmhunt) $(PYTHON) -m pytest -q tests/e2e

# The one test command (README, .ci/run): install what is missing, build, then every
# stage, each even when one before failed, and one closing line over all of them.
test:
	$(Q)scripts/install-deps.sh build 'test*'
	$(Q)MAKE="$(MAKE)" scripts/test-all.sh

# Every unit and e2e test again (but valgrind's), built with ASan+UBSan.
test-sanitize:
	$(Q)scripts/ci-sanitize.sh

run:
	$(Q)scripts/install-deps.sh build
	$(Q)$(MAKE) --no-print-directory all
	$(OUTPUT)/rmmhunt run $(ARGS)

deps:
	$(Q)scripts/install-deps.sh build 'test*'

# Regenerates the committed vmlinux.h from the running kernel's BTF.
vmlinux:
	$(Q)mkdir -p vmlinux/$(ARCH)
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $(VMLINUX)

clean:
	$(call msg,CLEAN)
	$(Q)rm -rf build

# Keep intermediate objects (the skeleton) and delete half-written targets on failure.
.SECONDARY:
.DELETE_ON_ERROR:

# ---- Deployment: static binary, install, container image (deploy/) ----------------------
# `make static` builds the same objects into build/static/ and links every library
# statically, for the FROM-scratch image. glibc warns that libcrypto's dlopen and
# getaddrinfo need shared libraries at run time: rmmhunt never reaches those paths.
STATIC_LIBS := $(LIBS)
ifeq ($(STATIC),1)
LDFLAGS += -static
LDLIBS  := $(shell pkg-config --static --libs $(STATIC_LIBS) 2>/dev/null) -lpthread
endif

# SANITIZE= because `make e2e SANITIZE=1` passes it down to the tests' `make static`,
# and the sanitizer runtimes cannot be linked statically.
static:
	$(Q)$(MAKE) --no-print-directory STATIC=1 SANITIZE= OUTPUT=build/static build/static/rmmhunt

# Installs under $(DESTDIR)$(PREFIX); the unit goes where systemd looks for units of
# locally installed software ($(PREFIX)/lib/systemd/system with PREFIX=/usr/local).
BINDIR    ?= $(PREFIX)/bin
UNITDIR   ?= $(PREFIX)/lib/systemd/system
RULESDIR  ?= $(PREFIX)/share/rmmhunt/rules

RULE_FILES := $(shell find rules -name '*.yaml' 2>/dev/null | sort)

# The static binary, as in the image: one build for every host whatever its
# libraries, and 2 MiB less resident than the dynamic one (no unused pages of
# shared libraries; make bench measures both ways).
install: static
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)install -D -m 0755 build/static/rmmhunt $(DESTDIR)$(BINDIR)/rmmhunt
	$(Q)install -d -m 0755 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(RULESDIR)
	$(Q)sed 's|@bindir@|$(BINDIR)|g' deploy/systemd/rmmhunt.service \
		> $(DESTDIR)$(UNITDIR)/rmmhunt.service
	$(Q)chmod 0644 $(DESTDIR)$(UNITDIR)/rmmhunt.service
	$(Q)for f in $(patsubst rules/%,%,$(RULE_FILES)); do \
		install -D -m 0644 rules/$$f $(DESTDIR)$(RULESDIR)/$$f || exit 1; done

uninstall:
	$(call msg,UNINSTALL,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(DESTDIR)$(BINDIR)/rmmhunt $(DESTDIR)$(UNITDIR)/rmmhunt.service
	$(Q)rm -f $(patsubst rules/%,$(DESTDIR)$(RULESDIR)/%,$(RULE_FILES))
	$(Q)find $(DESTDIR)$(RULESDIR) -depth -type d -empty -delete 2>/dev/null || true
	$(Q)rmdir $(DESTDIR)$(PREFIX)/share/rmmhunt 2>/dev/null || true

# The rules ConfigMap is generated from the default set, rules/*.yaml.
.PHONY: k8s-rules
k8s-rules:
	$(call msg,GEN,deploy/kubernetes/configmap-rules.yaml)
	$(Q)deploy/kubernetes/gen-rules-configmap.sh $(sort $(wildcard rules/*.yaml)) \
		> deploy/kubernetes/configmap-rules.yaml

# localhost/rmmhunt:latest from build/static/rmmhunt, with podman if present, else docker.
# PODMAN_FLAGS: runc and the cgroupfs manager also work on v1/v2 hybrid hosts, where crun fails.
IMAGE        ?= localhost/rmmhunt:latest
CONTAINER    ?= $(shell command -v podman >/dev/null 2>&1 && echo podman || echo docker)
PODMAN_FLAGS ?= --runtime runc --cgroup-manager cgroupfs

image: static
	$(call msg,IMAGE,$(IMAGE))
	$(Q)rm -rf build/image && mkdir -p build/image/rules
	$(Q)cp build/static/rmmhunt build/image/rmmhunt
	$(Q)cp -r rules/. build/image/rules/
	$(Q)$(CONTAINER) $(if $(filter podman,$(CONTAINER)),$(PODMAN_FLAGS)) build \
		-f deploy/Containerfile -t $(IMAGE) build/image

# The Log Analytics table and DCR templates follow user/event.h.
.PHONY: azure-schema
azure-schema:
	$(call msg,GEN,deploy/collectors/azure/)
	$(Q)deploy/collectors/gen-azure-schema.py

# Fuzzing: make fuzz, make fuzz-smoke (tests/fuzz/fuzz.mk lists what each target links).
include tests/fuzz/fuzz.mk
# Booting other kernels: make test-kernels.
include tests/kernels/kernels.mk
# Measuring: make bench (a benchmark, not a test).
include bench/bench.mk

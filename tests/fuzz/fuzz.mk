# SPDX-License-Identifier: MIT
# libFuzzer targets: tests/fuzz/fuzz_<name>.c -> build/fuzz/fuzz_<name>, included by the Makefile.
#
#   make fuzz                  build every target, fuzz each for FUZZ_SECONDS (default 60)
#   make fuzz FUZZ=pe          only the targets named (space separated)
#   make fuzz-smoke            every target for FUZZ_SMOKE_SECONDS (default 10), then
#                              replay tests/fuzz/regressions/<name>/*; run by `make test`
#   make fuzz-build            only build
#
# A target is linked with exactly the module sources it needs (listed below), not with
# every object: the harness then shows what a parser depends on, and each target builds
# with the fuzzer's own instrumentation. A crash found by either run is left in
# build/fuzz/artifacts/<name>/ (the log in build/fuzz/fuzz_<name>.log); once fixed, copy
# it to tests/fuzz/regressions/<name>/ so fuzz-smoke replays it from then on.
#
# Adding a target: tests/fuzz/fuzz_<name>.c, seeds in tests/fuzz/corpus/<name>/, and
# its FUZZ_SRCS_<name> (plus LIBS/ARGS/SEED when needed) below.

FUZZ_CC            ?= clang
FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_OUT           := build/fuzz
FUZZ_CFLAGS        := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		      -g -O1 -D_GNU_SOURCE -std=gnu11 -Iuser -Iinclude -I$(OUTPUT)
FUZZ_TARGETS       := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ               ?= $(FUZZ_TARGETS)
# Coarse but safe: a target is rebuilt when any header changes.
FUZZ_HDRS          := $(shell find user include -name '*.h')

# ---- What each target needs ---------------------------------------------------------
# FUZZ_SRCS_<name>: module sources linked in; FUZZ_LIBS_<name>: libraries;
# FUZZ_ARGS_<name>: extra libFuzzer flags; FUZZ_SEED_<name>: a command that writes
# generated seeds into the directory given as its last argument (binaries are never
# committed, so some corpora are built at run time).

# The signed fixtures (sign.py) are ~10-20 KiB; room for a whole one.
FUZZ_SRCS_authenticode := $(addprefix user/identity/,authenticode.c authenticode_cert.c pe.c) \
			  user/base/file.c
FUZZ_LIBS_authenticode := -lcrypto
FUZZ_ARGS_authenticode := -max_len=65536
FUZZ_SEED_authenticode := tests/fuzz/authenticode-seeds.sh

FUZZ_SRCS_cgroup       := user/identity/container.c user/base/file.c

FUZZ_SRCS_dns_answer   := user/network/dns.c user/network/names.c

FUZZ_SRCS_dns_skb      := user/capture/decode.c user/network/dns.c
# A whole sample: the header, an IP and TCP header, NET_DNS_TCP_MAX of payload.
FUZZ_ARGS_dns_skb      := -max_len=4400

FUZZ_SRCS_dpkg         := $(addprefix user/identity/,dpkg.c apk.c pathindex.c pkg_field.c root.c) \
			  user/base/file.c user/base/log.c

FUZZ_SRCS_elfnote      := $(addprefix user/identity/,elfnote.c elf.c pkg_field.c) user/base/file.c
FUZZ_LIBS_elfnote      := -ljansson
# Room for a whole small ELF (the generated seeds are ~14 KiB) whatever the corpus holds.
FUZZ_ARGS_elfnote      := -max_len=16384
FUZZ_SEED_elfnote      := tests/fuzz/elfnote-seeds.sh

FUZZ_SRCS_event_json   := user/output/event_json.c \
			  $(addprefix user/base/,base64.c json_writer.c timefmt.c utf8.c) \
			  user/event.c
FUZZ_LIBS_event_json   := -ljansson

FUZZ_SRCS_http_host    := user/network/http.c user/network/hostname.c

# The harness #includes user/ops/httpd.c to reach its static functions.
FUZZ_SRCS_http_request := user/base/log.c

FUZZ_SRCS_pe           := user/identity/pe.c user/base/file.c user/base/utf8.c
FUZZ_SEED_pe           := tests/fuzz/corpus/pe/seed.sh

FUZZ_SRCS_pgp          := user/identity/pgp.c
FUZZ_LIBS_pgp          := -lcrypto
# Real keys are 1-3 KiB, a signature and a key together a little more.
FUZZ_ARGS_pgp          := -max_len=8192
FUZZ_SEED_pgp          := tests/fuzz/pgp-seeds.sh

FUZZ_SRCS_rpmheader    := $(addprefix user/identity/,rpm.c pgp.c pkg_field.c root.c) user/base/file.c \
			  user/base/log.c
FUZZ_LIBS_rpmheader    := -lsqlite3 -lcrypto
FUZZ_SEED_rpmheader    := tests/fuzz/rpmheader-seeds.sh

FUZZ_SRCS_rules        := $(addprefix user/rules/,exclusion.c kql_columns.c kql_eval.c kql_lex.c \
			  kql_parse.c kql_predicate.c kql_value.c \
			  kql_prog.c rule_yaml.c ruleset.c terms.c) \
			  user/event.c user/table.c $(addprefix user/base/,file.c timefmt.c)
FUZZ_LIBS_rules        := -lyaml
# ruleset.c embeds the default rule set.
FUZZ_DEPS_rules        := $(OUTPUT)/rules_default.h

FUZZ_SRCS_state        := $(addprefix user/aggregate/,agg.c agg_json.c state.c) \
			  user/output/alert.c $(addprefix user/base/,base64.c json_writer.c timefmt.c utf8.c) \
			  user/event.c $(addprefix user/base/,file.c log.c)
FUZZ_LIBS_state        := -ljansson

FUZZ_SRCS_tls_sni      := user/network/tls.c user/network/hostname.c

FUZZ_SRCS_wine_elf     := $(addprefix user/identity/,wine.c winepath.c accounts.c elf.c root.c) user/event.c \
			  $(addprefix user/base/,file.c proc.c)
FUZZ_SEED_wine_elf     := tests/fuzz/wine-elf-seeds.sh

FUZZ_SRCS_wine_text    := $(addprefix user/identity/,wine.c winepath.c accounts.c elf.c root.c) user/event.c \
			  $(addprefix user/base/,file.c proc.c)

FUZZ_SRCS_winepath     := user/identity/winepath.c

# ---- Rules, per target --------------------------------------------------------------
# fuzz-run-NAME fuzzes NAME for FUZZ_TIME seconds on FUZZ_CORPUS/NAME, after copying the
# committed and generated seeds in (never overwriting what the corpus already has).
# fuzz-replay-NAME runs each file of tests/fuzz/regressions/NAME once.
# -timeout: an input that takes this long is a bug (a hang), not a slow machine.
FUZZ_FLAGS := -timeout=25 -print_final_stats=1

define fuzz_target_rules
$(FUZZ_OUT)/fuzz_$(1): tests/fuzz/fuzz_$(1).c $(FUZZ_SRCS_$(1)) $(FUZZ_DEPS_$(1)) \
		$(FUZZ_HDRS) tests/fuzz/fuzz.mk
	$$(call msg,FUZZCC,$$@)
	$$(Q)mkdir -p $$(@D)
	$$(Q)$$(FUZZ_CC) $$(FUZZ_CFLAGS) $$< $(FUZZ_SRCS_$(1)) $(FUZZ_LIBS_$(1)) -o $$@

fuzz-run-$(1): $(FUZZ_OUT)/fuzz_$(1) $(if $(FUZZ_SEED_$(1)),$(FUZZ_OUT)/seeds/$(1)/.stamp)
	$$(call msg,FUZZ,$(1) for $$(FUZZ_TIME) s)
	$$(Q)mkdir -p $$(FUZZ_CORPUS)/$(1) $(FUZZ_OUT)/artifacts/$(1)
	$$(Q)find $$(wildcard tests/fuzz/corpus/$(1) $(FUZZ_OUT)/seeds/$(1)) -maxdepth 1 -type f \
		! -name '.*' ! -name '*.sh' -exec cp -n {} $$(FUZZ_CORPUS)/$(1)/ \;
	$$(Q)$(FUZZ_OUT)/fuzz_$(1) $$(FUZZ_FLAGS) -max_total_time=$$(FUZZ_TIME) $(FUZZ_ARGS_$(1)) \
		-artifact_prefix=$(FUZZ_OUT)/artifacts/$(1)/ $$(FUZZ_CORPUS)/$(1) \
		> $(FUZZ_OUT)/fuzz_$(1).log 2>&1 \
		|| { tail -n 60 $(FUZZ_OUT)/fuzz_$(1).log; exit 1; }

fuzz-replay-$(1): $(FUZZ_OUT)/fuzz_$(1)
	$$(call msg,REPLAY,tests/fuzz/regressions/$(1))
	$$(Q)$(FUZZ_OUT)/fuzz_$(1) $(FUZZ_ARGS_$(1)) $$(wildcard tests/fuzz/regressions/$(1)/*) \
		> $(FUZZ_OUT)/replay_$(1).log 2>&1 || { tail -n 60 $(FUZZ_OUT)/replay_$(1).log; exit 1; }
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_target_rules,$(t))))

# Generated seeds go to $(FUZZ_OUT)/seeds/NAME/, made once (the stamp).
define fuzz_seed_rule
$(FUZZ_OUT)/seeds/$(1)/.stamp: $(FUZZ_SEED_$(1)) tests/fuzz/fuzz.mk
	$$(call msg,SEED,$$(@D))
	$$(Q)rm -rf $$(@D) && mkdir -p $$(@D)
	$$(Q)$(FUZZ_SEED_$(1)) $$(@D) >/dev/null
	$$(Q)touch $$@
endef
$(foreach t,$(FUZZ_TARGETS),$(if $(FUZZ_SEED_$(t)),$(eval $(call fuzz_seed_rule,$(t)))))

# ---- Entry points -------------------------------------------------------------------
.PHONY: fuzz fuzz-build fuzz-smoke $(foreach t,$(FUZZ_TARGETS),fuzz-run-$(t) fuzz-replay-$(t))

fuzz-build: $(patsubst %,$(FUZZ_OUT)/fuzz_%,$(FUZZ)) \
	    $(foreach t,$(FUZZ),$(if $(FUZZ_SEED_$(t)),$(FUZZ_OUT)/seeds/$(t)/.stamp))

# Targets with regression inputs to replay.
FUZZ_REPLAY = $(foreach t,$(FUZZ),$(if $(wildcard tests/fuzz/regressions/$(t)/*),$(t)))

# One target at a time, even under make -j: each fuzzer takes a core for its whole run.
# (The recipes start with + because $(MAKE) is hidden in this function.)
fuzz_each = for t in $(2); do \
	$(MAKE) --no-print-directory $(1)-$$t $(3) || exit 1; done

# `make fuzz` keeps its corpus in build/fuzz/corpus/, so it grows run after run.
fuzz: fuzz-build
	+$(Q)$(call fuzz_each,fuzz-run,$(FUZZ),FUZZ_TIME=$(FUZZ_SECONDS) FUZZ_CORPUS=$(FUZZ_OUT)/corpus)

# fuzz-smoke starts from the seeds every time, so its run time does not creep up.
fuzz-smoke: fuzz-build
	$(Q)rm -rf $(FUZZ_OUT)/smoke
	+$(Q)$(call fuzz_each,fuzz-run,$(FUZZ),FUZZ_TIME=$(FUZZ_SMOKE_SECONDS) FUZZ_CORPUS=$(FUZZ_OUT)/smoke)
	+$(Q)$(call fuzz_each,fuzz-replay,$(FUZZ_REPLAY))

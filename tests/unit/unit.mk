# SPDX-License-Identifier: MIT
# What each unit test links, included by the Makefile.
#
# A test links its own module and what that module needs, never the whole program:
# the list shows a module's dependencies, and the test builds without the BPF
# skeleton. Collaborators a test fakes are named in UNIT_WRAP_<test> and linked
# with -Wl,--wrap=NAME, so the test defines __wrap_NAME (OpenVPN's testdrivers do
# the same).
#
#   UNIT_SRCS_<test>  module sources linked in (user/...c); every test has one
#   UNIT_WRAP_<test>  functions replaced by the test's __wrap_<name>

comma := ,
# The objects of a test, each once (the sets below overlap); a test without a list is
# an error, not the whole program. An empty list: the module is header-only.
unit_objs = $(if $(filter undefined,$(origin UNIT_SRCS_$(1))),$(error \
	tests/unit/$(1).c: no UNIT_SRCS_$(1) in tests/unit/unit.mk (say which user/ sources it links)),$(patsubst \
	%.c,$(OUTPUT)/%.o,$(sort $(UNIT_SRCS_$(1)))))

# Sets that several tests link whole.
# network/ every packet parser and the name map.
UNIT_NETWORK  := $(addprefix user/network/,addr.c dns.c hostname.c tls.c http.c names.c iptype.c)
# base/ json writer with its encoders.
UNIT_JSON     := $(addprefix user/base/,json_writer.c base64.c timefmt.c utf8.c)
# identity/ package lookup: every database reader and what they share.
UNIT_PACKAGE  := $(addprefix user/identity/,package.c apk.c dpkg.c rpm.c pgp.c elfnote.c elf.c \
		 pathindex.c pkg_field.c root.c) user/base/file.c user/base/log.c
# rules/ whole (YAML rule files, the KQL subset, exclusions, the embedded default set).
UNIT_RULES    := $(wildcard user/rules/*.c) user/event.c user/table.c user/base/file.c \
		 user/base/timefmt.c

# base/
UNIT_SRCS_test_clock          := user/base/clock.c
UNIT_SRCS_test_file           := user/base/file.c
UNIT_WRAP_test_file           := read pread
UNIT_SRCS_test_json_writer    := $(UNIT_JSON)
UNIT_SRCS_test_path           := # base/path.h is header-only
UNIT_SRCS_test_proc           := $(addprefix user/base/,proc.c clock.c file.c)
UNIT_SRCS_test_strhash        := # base/strhash.h is header-only
UNIT_SRCS_test_event          := user/event.c

# capture/
UNIT_SRCS_test_decode         := user/capture/decode.c
UNIT_SRCS_test_decode_net     := user/capture/decode.c
UNIT_SRCS_test_snapshot       := user/capture/snapshot.c $(addprefix user/base/,proc.c file.c)
UNIT_SRCS_test_wineprocs      := user/capture/wineprocs.c user/base/log.c
UNIT_WRAP_test_wineprocs      := bpf_map_update_elem bpf_map_delete_elem bpf_map_lookup_elem \
				 bpf_map_get_next_key bpf_raw_tracepoint_open

# identity/
UNIT_SRCS_test_accounts       := $(addprefix user/identity/,accounts.c root.c) user/base/file.c
UNIT_SRCS_test_container      := user/identity/container.c user/base/file.c
UNIT_SRCS_test_elf            := user/identity/elf.c user/base/file.c
UNIT_SRCS_test_elfnote        := $(addprefix user/identity/,elfnote.c elf.c pkg_field.c) \
				 user/base/file.c
UNIT_SRCS_test_fsguard        := user/identity/fsguard.c $(addprefix user/base/,clock.c file.c \
				 proc.c thread.c)
UNIT_SRCS_test_identity       := $(addprefix user/identity/,identity.c hash.c filetype.c pe.c authenticode.c authenticode_cert.c \
				 certinfo.c) $(UNIT_PACKAGE) user/event.c $(UNIT_JSON)
UNIT_SRCS_test_package        := $(UNIT_PACKAGE)
UNIT_SRCS_test_pathindex      := user/identity/pathindex.c
UNIT_SRCS_test_pe             := user/identity/pe.c user/base/file.c
UNIT_SRCS_test_pgp            := user/identity/pgp.c
UNIT_SRCS_test_reader         := $(addprefix user/identity/,reader.c fsguard.c wine.c winepath.c accounts.c \
				 identity.c hash.c filetype.c pe.c authenticode.c authenticode_cert.c certinfo.c) $(UNIT_PACKAGE) \
				 user/event.c $(addprefix user/base/,clock.c proc.c thread.c) $(UNIT_JSON)
UNIT_WRAP_test_reader         := fsguard__run fsguard__hung
UNIT_SRCS_test_root           := user/identity/root.c user/base/file.c
UNIT_SRCS_test_rpm            := $(UNIT_PACKAGE) user/identity/certinfo.c user/event.c $(UNIT_JSON)
UNIT_SRCS_test_wine           := $(addprefix user/identity/,wine.c winepath.c accounts.c elf.c root.c) \
				 user/event.c user/base/file.c user/base/proc.c

# rules/
UNIT_SRCS_test_kql            := $(UNIT_RULES)
UNIT_SRCS_test_rules          := $(UNIT_RULES)

# pipeline/
UNIT_SRCS_test_detect         := user/pipeline/detect.c $(addprefix user/aggregate/,agg.c \
				 agg_json.c agg_rules.c state.c) user/output/alert.c $(UNIT_RULES) \
				 $(UNIT_JSON) user/base/clock.c user/base/log.c
UNIT_SRCS_test_lineage        := user/pipeline/lineage.c
UNIT_SRCS_test_net            := user/pipeline/net.c user/pipeline/lineage.c user/capture/decode.c \
				 $(UNIT_NETWORK) \
				 user/event.c user/base/clock.c
UNIT_SRCS_test_procfs         := user/pipeline/procfs.c $(addprefix user/identity/,root.c container.c) \
				 $(addprefix user/base/,file.c proc.c)
# The pipeline, with the executable reader and the rules faked: the rest is real.
UNIT_SRCS_test_cert_seen      := user/pipeline/cert_seen.c
UNIT_SRCS_test_pipeline       := user/pipeline/pipeline.c user/pipeline/procfs.c user/pipeline/wine_hold.c \
				 user/pipeline/cert_seen.c \
				 user/pipeline/lineage.c user/pipeline/net.c user/capture/snapshot.c \
				 user/capture/decode.c $(UNIT_NETWORK) \
				 user/event.c user/output/event_json.c $(addprefix user/identity/,container.c \
				 wine.c winepath.c accounts.c elf.c root.c) $(addprefix user/base/,clock.c file.c \
				 proc.c users.c) $(UNIT_JSON)
UNIT_WRAP_test_pipeline       := reader__new reader__free reader__stats reader__wait_unstuck reader__own_root \
				 reader__open reader__open_cached reader__identify reader__open_image reader__error \
				 reader__wine_resolve reader__wine_try_maps detector__eval \
				 detector__unmatchable
# The Wine hold/settle state machine, with the executable reader and the boot clock faked.
UNIT_SRCS_test_wine_hold      := user/pipeline/wine_hold.c user/pipeline/lineage.c user/event.c \
				 user/capture/decode.c $(addprefix user/identity/,wine.c winepath.c accounts.c \
				 elf.c root.c) user/base/file.c user/base/proc.c
UNIT_WRAP_test_wine_hold      := clock__boot_ns reader__open reader__open_image \
				 reader__wine_resolve reader__wine_try_maps

# aggregate/
UNIT_SRCS_test_agg            := user/aggregate/agg.c user/output/alert.c user/event.c \
				 $(UNIT_JSON) user/base/log.c
UNIT_SRCS_test_state          := $(addprefix user/aggregate/,state.c agg.c agg_json.c) \
				 user/output/alert.c user/event.c $(UNIT_JSON) user/base/file.c \
				 user/base/log.c

# output/
UNIT_SRCS_test_event_json     := user/output/event_json.c user/event.c $(UNIT_JSON)

# ops/
UNIT_SRCS_test_caps           := user/ops/caps.c
UNIT_SRCS_test_metrics        := user/ops/metrics.c user/ops/httpd.c user/base/log.c \
				 user/base/utf8.c
UNIT_SRCS_test_sd_notify      := user/ops/sd_notify.c

# cmd/
UNIT_SRCS_test_options        := user/cmd/options.c
UNIT_SRCS_test_run_opts       := user/cmd/run_opts.c user/cmd/options.c user/base/log.c
UNIT_WRAP_test_run_opts       := log__msg
# Authenticode, over images signed in memory by the test (libcrypto is in LDLIBS).
UNIT_SRCS_test_authenticode   := $(addprefix user/identity/,authenticode.c authenticode_cert.c pe.c \
				 certinfo.c identity.c hash.c filetype.c) $(UNIT_PACKAGE) user/event.c $(UNIT_JSON)
UNIT_SRCS_test_table          := user/table.c user/event.c

# network/: the packet parsers of RemoteUrl and the name map
UNIT_SRCS_test_addr           := user/network/addr.c
UNIT_SRCS_test_dns            := user/network/dns.c user/network/addr.c
UNIT_SRCS_test_hostname       := user/network/hostname.c
UNIT_SRCS_test_http           := user/network/http.c user/network/hostname.c
UNIT_SRCS_test_iptype         := user/network/iptype.c user/network/addr.c
UNIT_SRCS_test_names          := user/network/names.c user/network/addr.c
UNIT_SRCS_test_tls            := user/network/tls.c user/network/hostname.c

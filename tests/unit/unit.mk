# SPDX-License-Identifier: MIT
# What each unit test links, included by the Makefile.
#
# A test links its own module and what that module needs, never the whole program:
# the list shows a module's dependencies, and the test builds without the BPF
# skeleton. Collaborators a test fakes are named in UNIT_WRAP_<test> and linked
# with -Wl,--wrap=NAME, so the test defines __wrap_NAME (OpenVPN's testdrivers do
# the same).
#
#   UNIT_SRCS_<test>  module sources linked in (user/...c)
#   UNIT_WRAP_<test>  functions replaced by the test's __wrap_<name>

comma := ,
# The objects of a test: its UNIT_SRCS_, or every module but main and the skeleton
# user while a test has no list yet.
unit_objs = $(if $(UNIT_SRCS_$(1)),$(patsubst %.c,$(OUTPUT)/%.o,$(UNIT_SRCS_$(1))),$(LIB_OBJS))
UNIT_SRCS_test_json_writer := $(addprefix user/base/,json_writer.c base64.c timefmt.c utf8.c)
# The Wine hold/settle state machine, with the executable reader and the boot clock faked.
UNIT_SRCS_test_wine_hold := user/pipeline/wine_hold.c user/pipeline/lineage.c user/event.c \
	user/capture/decode.c user/identity/wine.c user/identity/winepath.c user/base/proc.c
UNIT_WRAP_test_wine_hold := clock__boot_ns reader__open reader__open_image reader__wine_resolve \
	reader__wine_try_maps
# The pipeline, with the executable reader and the rules faked: the rest is real.
UNIT_SRCS_test_pipeline := user/pipeline/pipeline.c user/pipeline/wine_hold.c \
	user/pipeline/lineage.c user/capture/snapshot.c user/capture/decode.c user/event.c \
	user/output/event_json.c user/identity/container.c user/identity/wine.c \
	user/identity/winepath.c $(addprefix user/base/,clock.c proc.c users.c json_writer.c \
	base64.c timefmt.c utf8.c)
UNIT_WRAP_test_pipeline := reader__new reader__free reader__stats reader__wait_unstuck \
	reader__open reader__identify reader__open_image reader__wine_resolve \
	reader__wine_try_maps detector__eval detector__unmatchable
UNIT_SRCS_test_options := user/cmd/options.c
UNIT_SRCS_test_run_opts := user/cmd/run_opts.c user/cmd/options.c user/base/log.c
UNIT_WRAP_test_run_opts := log__msg
UNIT_SRCS_test_table := user/table.c user/event.c

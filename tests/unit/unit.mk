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
UNIT_SRCS_test_options := user/cmd/options.c
UNIT_SRCS_test_run_opts := user/cmd/run_opts.c user/cmd/options.c user/base/log.c
UNIT_WRAP_test_run_opts := log__msg

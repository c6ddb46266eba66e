# SPDX-License-Identifier: MIT
# `make bench`: performance of the monitor against the targets of the
# performance issue (bench/run.py says what is measured). Runs as root; prints a
# table and writes $(OUTPUT)/bench.json. BENCH_N, BENCH_W, BENCH_ROUNDS,
# BENCH_NET_N, BENCH_QEMU_N, BENCH_QEMU_ROUNDS, BENCH_SYSCALLS, BENCH_STEPS and
# BENCH_QUICK=1 (a one-minute smoke run) are read from the environment. Before it,
# `make bench-rules` (no root) times rule matching alone (bench/bench_rules.c).
BENCH_DIR  := $(OUTPUT)/bench
BENCH_BINS := $(BENCH_DIR)/storm $(BENCH_DIR)/syscalls $(BENCH_DIR)/connstorm \
	      $(BENCH_DIR)/AteraAgent $(BENCH_DIR)/AteraAgent.exe
# What `ld --package-metadata` writes into .note.package: the native fixture's vendor.
BENCH_PKG_NOTE := {"type":"rpm","name":"ateraagent","version":"1.0","vendor":"Atera Networks Ltd."}

$(BENCH_DIR):
	$(Q)mkdir -p $@

$(BENCH_DIR)/storm: bench/storm.c | $(BENCH_DIR)
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -std=gnu11 -Wall -Wextra -D_GNU_SOURCE $< -o $@

$(BENCH_DIR)/syscalls: bench/syscalls.c | $(BENCH_DIR)
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -std=gnu11 -Wall -Wextra $< -o $@

$(BENCH_DIR)/connstorm: bench/connstorm.c | $(BENCH_DIR)
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -std=gnu11 -Wall -Wextra -D_GNU_SOURCE -pthread $< -o $@

# for the QEMU guest of bench/qemu_net.sh, which has no libraries
$(BENCH_DIR)/connstorm-static: bench/connstorm.c | $(BENCH_DIR)
	$(call msg,CC,$@)
	$(Q)$(CC) -static -O2 -std=gnu11 -Wall -Wextra -D_GNU_SOURCE -pthread $< -o $@

$(BENCH_DIR)/AteraAgent: bench/noop.c | $(BENCH_DIR)
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -Xlinker '--package-metadata=$(BENCH_PKG_NOTE)' $< -o $@

# The PE fixture of tests/fixtures/pe/build.sh with atera.rc, x86-64 only.
$(BENCH_DIR)/AteraAgent.exe: tests/fixtures/pe/prog.c tests/fixtures/pe/atera.rc | $(BENCH_DIR)
	$(call msg,MINGW,$@)
	$(Q)x86_64-w64-mingw32-windres tests/fixtures/pe/atera.rc -O coff -o $@.res.o
	$(Q)x86_64-w64-mingw32-gcc -nostdlib -s -Wl,-e,entry -o $@ $< $@.res.o
	$(Q)rm -f $@.res.o

# rule__match alone, per exec (bench/bench_rules.c): what the monitor-wide numbers
# of run.py cannot separate from the rest of an exec's cost.
BENCH_RULES_SRCS := $(wildcard user/rules/*.c) user/event.c user/table.c $(addprefix user/base/,timefmt.c \
		    file.c log.c)

$(BENCH_DIR)/bench_rules: bench/bench_rules.c $(patsubst %.c,$(OUTPUT)/%.o,$(BENCH_RULES_SRCS)) \
		| $(BENCH_DIR)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $< $(filter %.o,$^) $(LDFLAGS) $(LDLIBS) -o $@

.PHONY: bench-rules
bench-rules: $(BENCH_DIR)/bench_rules
	$(Q)$(BENCH_DIR)/bench_rules | tee $(OUTPUT)/bench_rules.jsonl

bench:
	$(Q)scripts/install-deps.sh build bench test-kernels
	$(Q)$(MAKE) -s --no-print-directory all $(BENCH_BINS) $(BENCH_DIR)/connstorm-static
	$(Q)$(MAKE) -s --no-print-directory static
	$(Q)$(MAKE) -s --no-print-directory bench-rules
	$(Q)$(PYTHON) bench/run.py --rmmhunt $(OUTPUT)/rmmhunt --bin-dir $(BENCH_DIR) \
		--static-rmmhunt build/static/rmmhunt --out $(OUTPUT)/bench.json

# The connect storm against tcpconnect on Debian's 6.12 kernel under QEMU alone
# (bench/qemu_net.sh; `make bench` runs it too, as its net_qemu step).
.PHONY: bench-net-qemu
bench-net-qemu:
	$(Q)scripts/install-deps.sh build bench test-kernels
	$(Q)$(MAKE) -s --no-print-directory all $(BENCH_DIR)/storm $(BENCH_DIR)/connstorm-static
	$(Q)$(MAKE) -s --no-print-directory static
	$(Q)BENCH_STEPS=net_qemu $(PYTHON) bench/run.py --rmmhunt $(OUTPUT)/rmmhunt \
		--bin-dir $(BENCH_DIR) --static-rmmhunt build/static/rmmhunt \
		--out $(OUTPUT)/bench-net-qemu.json

# `make test-kernels`: the static binary on Debian's 5.10, 6.1 and 6.12 kernels, each
# booted under QEMU from an initramfs (tests/kernels/run.sh). Kernels and apt
# lists are cached in build/kernels/.
test-kernels:
	$(Q)scripts/install-deps.sh build test-kernels
	$(Q)$(MAKE) --no-print-directory static
	$(Q)RMMHUNT=build/static/rmmhunt KERNELS_CACHE=build/kernels tests/kernels/run.sh

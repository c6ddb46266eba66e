// SPDX-License-Identifier: MIT
/*
 * Loader identification on arbitrary files: every binary exec'd on the host
 * is looked at, so the ELF walk, the PE check and the script check must hold
 * on any bytes. The input is put in a memfd and judged through its fd.
 * Sources: tests/fuzz/fuzz_wine_elf.c user/identity/wine.c user/identity/winepath.c
 * user/event.c
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "identity/wine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wine *w = wine__new();
	int fd = memfd_create("fuzz", MFD_CLOEXEC);

	if (fd >= 0 && w && write(fd, data, size) == (ssize_t)size) {
		wine__loader_kind(w, fd);
		wine__is_pe_file(fd);
		wine__is_launcher_script(fd);
		wine__classify(w, fd, fd);
	}
	if (fd >= 0)
		close(fd);
	wine__free(w);
	return 0;
}

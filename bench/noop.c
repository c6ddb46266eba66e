// SPDX-License-Identifier: MIT
/* The native Atera fixture of `make bench`: only its .note.package matters. */
int main(void)
{
	return 0;
}

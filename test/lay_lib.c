/*
 * lay_lib.c - a library whose own inline syscall (number 500, which no
 * kernel has) must reach the hook however the library was linked and
 * loaded (layout_check.sh builds it with each linker and layout).
 */
long lay_lib_500(void)
{
	long r;
	__asm__ volatile("mov $500, %%eax\n\tsyscall" : "=a"(r) : : "rcx", "r11", "memory");
	return r;
}

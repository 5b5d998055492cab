/* hook_nosym.c - test library with no zpoline_hook_init: must be refused. */
int zpoline_hook_inti(void)
{
	return 0;
}

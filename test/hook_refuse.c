/* hook_refuse.c - test hook whose init refuses (returns NULL). */
#include "../zpoline.h"

zpoline_hook_fn zpoline_hook_init(struct zpoline_init *init)
{
	return 0;
}

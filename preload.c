/*
 * preload.c - how libzpoline.so starts by itself, preloaded (LD_PRELOAD)
 * or linked: the two entry points that libzpoline.a leaves out, so that a
 * program embedding the runtime starts it only with zpoline_start.
 *
 *   - An IFUNC of this object makes ld.so call zp_start while it relocates
 *     libzpoline.so: before any constructor of the program's libraries
 *     runs (ld.so relocates every object before it runs a constructor,
 *     dependencies first), so that their calls are hooked too.
 *   - A constructor then loads the hooks (zp_start_hooks), libc ready.
 */
#include "runtime.h"

static void zp_nothing(void)
{
}

static void (*zp_early_resolve(void))(void)
{
	zp_start();
	return zp_nothing;
}

/* zp_early's address in a data word: an IRELATIVE relocation, which makes
 * ld.so call zp_early_resolve while it relocates this library. */
static void zp_early(void) __attribute__((ifunc("zp_early_resolve")));
void (*const zp_early_ref)(void) __attribute__((used, visibility("hidden"))) = zp_early;

__attribute__((constructor)) static void zp_init(void)
{
	zp_start_hooks();
}

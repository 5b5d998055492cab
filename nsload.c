/*
 * nsload.c - loads a hook library into a link-map namespace of its own.
 *
 * dlmopen(LM_ID_NEWLM) gives the hook private copies of everything it
 * links with, its libc included.  Those copies are mapped after the
 * rewriting, so their code keeps its syscall instructions: the hook may
 * call printf or malloc and its system calls go straight to the kernel.
 *
 * Invariants: every failure prints one line that names the library and
 * says why (dlerror's text), and leaves nothing loaded; the caller then
 * tries its next choice.  Used at start-up only, except zp_ns_flush and
 * zp_ns_thread_init, which the dispatch path calls with the re-entry
 * guard set (they run the hook namespace's libc, as the hook does).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "runtime.h"

static int (*zp_ns_fflush)(FILE *);
static void (*zp_ns_ctype_init)(void);

zpoline_hook_fn zp_load_hook(const char *path, struct zpoline_init *init)
{
	void *h = dlmopen(LM_ID_NEWLM, path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		zp_say("cannot load hook library ", path, ": ", dlerror(), NULL);
		return NULL;
	}
	zpoline_hook_fn (*hook_init)(struct zpoline_init *) =
		(zpoline_hook_fn (*)(struct zpoline_init *))dlsym(h, "zpoline_hook_init");
	if (!hook_init) {
		if (dlsym(h, "zpoline_runtime"))
			zp_say(path, " is libzpoline.so, the runtime itself, not a"
			       " hook library: ignored", NULL);
		else
			zp_say("hook library ", path, " has no zpoline_hook_init: ",
			       dlerror(), NULL);
		dlclose(h);
		return NULL;
	}
	zpoline_hook_fn fn = hook_init(init);
	if (!fn) {
		zp_say("hook library ", path, ": zpoline_hook_init refused to"
		       " start (returned NULL)", NULL);
		dlclose(h);
		return NULL;
	}
	/* The hook namespace's own fflush: dlsym searches the library's
	   dependencies too, so this is its libc's, not the program's. */
	zp_ns_fflush = (int (*)(FILE *))dlsym(h, "fflush");
	zp_ns_ctype_init = (void (*)(void))dlsym(h, "__ctype_init");
	return fn;
}

/*
 * A thread's first entry into the hook namespace.  The program's libc
 * sets up each new thread of its own (start_thread), but the hook
 * namespace's libc never hears of the thread: its per-thread pointers to
 * the ctype tables (toupper, isdigit, and printf's conversions use them)
 * are still null.  glibc's __ctype_init sets them for the calling thread.
 */
void zp_ns_thread_init(void)
{
	if (zp_ns_ctype_init)
		zp_ns_ctype_init();
}

/* Flush the hook namespace's stdio (its libc runs no exit handlers). */
void zp_ns_flush(void)
{
	if (zp_ns_fflush)
		zp_ns_fflush(NULL);
}

/* The default hook library: libzpoline_hook.so next to libzpoline.so. */
const char *zp_default_hook_path(char *buf, size_t n)
{
	static const char name[] = "libzpoline_hook.so";
	Dl_info info;
	if (!dladdr((void *)zp_default_hook_path, &info) || !info.dli_fname)
		return NULL;
	const char *slash = strrchr(info.dli_fname, '/');
	size_t dir = slash ? (size_t)(slash - info.dli_fname + 1) : 0;
	if (dir + sizeof name > n)
		return NULL;
	memcpy(buf, info.dli_fname, dir);
	memcpy(buf + dir, name, sizeof name);
	return buf;
}

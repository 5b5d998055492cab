/*
 * nsload.c - loads a hook library into a link-map namespace of its own,
 * and unloads it.
 *
 * dlmopen(LM_ID_NEWLM) gives the hook private copies of everything it
 * links with, its libc included.  Those copies are mapped after the
 * rewriting, so their code keeps its syscall instructions: the hook may
 * call printf or malloc and its system calls go straight to the kernel.
 *
 * Invariants: every failure leaves nothing loaded and prints one line
 * that names the library and says why (dlerror's text), but for glibc's
 * limits, which the caller reports (chain.c).  Loading and unloading call ld.so and the
 * program's malloc: only at start-up, from zpoline_start, or at a point
 * swap.c has found safe for it.  The namespace's fflush and __ctype_init
 * (struct zp_hook) are called by chain.c with the re-entry guard set.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "runtime.h"

/*
 * glibc's limits on namespaces: DL_NNS (16, one of them the program's),
 * and the static TLS that each libc loaded into a namespace takes (glibc
 * reserves a little for dlmopen; about 10 hooks with a libc of their own
 * fit on glibc 2.36).  dlerror's words for them:
 */
static int zp_is_limit(const char *err)
{
	return err && (strstr(err, "no more namespaces") ||
		       strstr(err, "static TLS"));
}

/* 0; -1 (a line said why); -2: a limit of glibc's was reached (nothing
 * said: *limit is dlerror's text, which the caller puts in its line). */
int zp_load_hook(const char *path, struct zpoline_init *init, struct zp_hook *h,
		 const char **limit)
{
	void *handle = dlmopen(LM_ID_NEWLM, path, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		const char *err = dlerror();
		if (zp_is_limit(err)) {
			*limit = err;
			return -2;
		}
		zp_say("cannot load hook library ", path, ": ", err, NULL);
		return -1;
	}
	zpoline_hook_fn (*hook_init)(struct zpoline_init *) =
		(zpoline_hook_fn (*)(struct zpoline_init *))dlsym(handle, "zpoline_hook_init");
	if (!hook_init) {
		if (dlsym(handle, "zpoline_runtime"))
			zp_say(path, " is libzpoline.so, the runtime itself, not a"
			       " hook library: ignored", NULL);
		else
			zp_say("hook library ", path, " has no zpoline_hook_init: ",
			       dlerror(), NULL);
		dlclose(handle);
		return -1;
	}
	zpoline_hook_fn fn = hook_init(init);
	if (!fn) {
		zp_say("hook library ", path, ": zpoline_hook_init refused to"
		       " start (returned NULL)", NULL);
		dlclose(handle);
		return -1;
	}
	*h = (struct zp_hook){
		.fn = fn,
		.after = init->after,
		.flush = init->flush,
		.signal = init->signal,
		.earlier = init->earlier,
		.flags = init->flags,
		.handle = handle,
		.path = path,
		/* The namespace's own fflush and __ctype_init: dlsym searches
		   the library's dependencies too, so these are its libc's,
		   not the program's. */
		.ns_fflush = (int (*)(void *))dlsym(handle, "fflush"),
		.ns_ctype_init = (void (*)(void))dlsym(handle, "__ctype_init"),
	};
	return 0;
}

/* dlclose: the namespace goes with its last object. */
void zp_unload_hook(struct zp_hook *h)
{
	if (h->handle)
		dlclose(h->handle);
	h->handle = 0;
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

# Makefile - builds libzpoline.so, the default hook library, zpscan and the
# zpoline command; runs the tests and the benchmarks; installs.
#
#   make              build
#   make check        the test suite (what CI runs)
#   make check-full   the long decoder run over libLLVM
#   make check-programs  real programs natively and hooked (installs them)
#   make bench        performance figures (medians and ratios, one run)
#   make install      PREFIX=/usr/local DESTDIR= (and make uninstall)
#
# Objects, generated files and test programs go to build/; the four
# products stay here, so that `LD_PRELOAD=./libzpoline.so prog` works.

CC      = cc
CFLAGS  = -O2 -g
WARN    = -Wall -Wextra -Wno-unused-parameter
B       = build

# The runtime is compiled without vector registers (-mgeneral-regs-only):
# its dispatch path then cannot disturb the program's vector state, and
# only the hook's use of it needs saving.  No stack protector: the
# dispatch path reads no TLS but its own re-entry flag.  No loops turned
# into memcpy/memset calls: the dispatch path must not call libc.
RT_CFLAGS = $(CFLAGS) $(WARN) -std=gnu11 -fPIC -fvisibility=hidden \
	    -fno-stack-protector -mgeneral-regs-only \
	    -fno-tree-loop-distribute-patterns
RT_OBJS   = $(B)/zpoline.o $(B)/rewrite.o $(B)/dispatch.o $(B)/trampoline.o \
	    $(B)/nsload.o $(B)/decoder.o $(B)/sites.o $(B)/config.o $(B)/cache.o $(B)/fds.o \
	    $(B)/chain.o $(B)/swap.o $(B)/unwind.o

all: libzpoline.so libzpoline.a libzpoline_hook.so zpscan

$(B):
	mkdir -p $@

# The shared library is the archive's objects and preload.o, which starts
# the runtime by itself; a program linked with libzpoline.a starts it with
# zpoline_start (zpoline.h).
libzpoline.so: $(RT_OBJS) $(B)/preload.o
	$(CC) -shared -Wl,-z,now -Wl,-z,noexecstack -Wl,-z,defs -o $@ $(RT_OBJS) \
		$(B)/preload.o -ldl

libzpoline.a: $(RT_OBJS)
	rm -f $@
	ar rcs $@ $(RT_OBJS)

$(B)/zpoline.o $(B)/rewrite.o $(B)/dispatch.o $(B)/nsload.o $(B)/cache.o $(B)/fds.o \
$(B)/chain.o $(B)/swap.o $(B)/unwind.o $(B)/preload.o: $(B)/%.o: %.c \
		zpoline.h runtime.h decoder.h config.h | $(B)
	$(CC) $(RT_CFLAGS) -c -o $@ $<

$(B)/decoder.o $(B)/sites.o: $(B)/%.o: %.c decoder.h | $(B)
	$(CC) $(RT_CFLAGS) -c -o $@ $<

$(B)/trampoline.o: trampoline.S runtime.h zpoline.h | $(B)
	$(CC) -fPIC -c -o $@ $<

zpscan: zpscan.c $(B)/decoder.o $(B)/sites.o decoder.h
	$(CC) $(CFLAGS) $(WARN) -std=gnu11 -o $@ zpscan.c $(B)/decoder.o $(B)/sites.o

# ---- default hook library (hook_default.c) -------------------------------
# The tracer's syscall names come from this machine's kernel headers:
# every `#define __NR_name number` of asm/unistd_64.h becomes an entry.
TRACER_SRCS = hook_default.c tracer_text.c tracer_calls.c tracer_more.c \
	      tracer_sig.c tracer_class.c
libzpoline_hook.so: $(TRACER_SRCS) tracer.h zpoline.h $(B)/syscall_names.h
	$(CC) $(CFLAGS) $(WARN) -std=gnu11 -fPIC -shared -I. -I$(B) -o $@ \
		$(TRACER_SRCS) -ldl

$(B)/syscall_names.h: | $(B)
	echo '#include <asm/unistd_64.h>' | $(CC) -dM -E - | sort -k3 -n | \
	sed -n 's/^#define __NR_\([a-z0-9_]*\) \([0-9]*\)$$/\t[\2] = "\1",/p' \
		> $@.tmp
	{ echo '/* generated from asm/unistd_64.h by the Makefile */'; \
	  echo 'static const char *const syscall_names[] = {'; \
	  cat $@.tmp; echo '};'; } > $@
	rm -f $@.tmp

# ---- tests ----------------------------------------------------------------
check: all check-decoder check-runtime check-layouts check-tracer check-command \
	check-hooks

# Decoder tests: hand-derived lengths (test/decoder_cases.txt), random
# windows under AddressSanitizer, and every instruction boundary and
# syscall site of system libraries against objdump's.
LIBDIR = /usr/lib/x86_64-linux-gnu
LLVM_LIB = $(lastword $(sort $(wildcard $(LIBDIR)/libLLVM-*.so.1)))

check-decoder: all $(B)/test/decoder_cases $(B)/test/decoder_random
	@test -z "$$(nm -u $(B)/decoder.o)" || \
		{ echo "decoder.o needs symbols:"; nm -u $(B)/decoder.o; exit 1; }
	@! objdump -d $(B)/decoder.o | grep -E '%[xyz]mm' || \
		{ echo "decoder.o uses vector registers"; exit 1; }
	$(B)/test/decoder_cases test/decoder_cases.txt
	$(B)/test/decoder_random 2000000
	python3 test/decoder_objdump.py --sites-equal ./zpscan \
		$(LIBDIR)/libc.so.6 /lib64/ld-linux-x86-64.so.2
	python3 test/decoder_objdump.py ./zpscan $(LIBDIR)/libm.so.6 \
		$(LIBDIR)/libstdc++.so.6 $(LIBDIR)/libcrypto.so.3

$(B)/test/decoder_cases: test/decoder_cases.c $(B)/decoder.o decoder.h | $(B)/test
	$(CC) $(CFLAGS) $(WARN) -std=gnu11 -o $@ $< $(B)/decoder.o
$(B)/test/decoder_random: test/decoder_random.c decoder.c decoder.h | $(B)/test
	$(CC) -O1 -g -fsanitize=address -std=gnu11 -fPIC -mgeneral-regs-only \
		-c -o $(B)/test/decoder_asan.o decoder.c
	$(CC) -O1 -g -fsanitize=address $(WARN) -std=gnu11 -o $@ $< \
		$(B)/test/decoder_asan.o

# Runtime tests: test programs (rt_*), test hooks (hook_*) and preloaded
# helpers (pre_*), driven by test/rt_check.sh.
RT_TESTS = $(addprefix $(B)/test/,rt_regs rt_clone rt_threads rt_vfork \
	   rt_spawn rt_signals rt_badnr rt_null rt_segv rt_altstack rt_page0 \
	   rt_exit rt_dlopen dl_lib.so rt_marker rt_transparent rt_secure rt_fds rt_sigs)
RT_HOOKS = $(addprefix $(B)/test/,hook_pass.so hook_pass_vector.so \
	   hook_pass_next.so hook_count.so hook_deny.so \
	   hook_libc.so hook_buffered.so hook_nosym.so hook_refuse.so \
	   hook_marker.so hook_ownfd.so hook_signals.so hook_early.so pre_page0.so \
	   pre_seal.so)

check-runtime: all $(RT_TESTS) $(RT_HOOKS)
	sh test/rt_check.sh

$(B)/test:
	mkdir -p $@
$(B)/test/rt_regs: test/rt_regs.c test/rt_regs_probe.S | $(B)/test
	$(CC) $(CFLAGS) -o $@ $^
$(B)/test/rt_clone $(B)/test/rt_vfork: $(B)/test/%: test/%.c \
		test/rt_clone_asm.S | $(B)/test
	$(CC) $(CFLAGS) -o $@ $^
$(B)/test/rt_altstack: test/rt_altstack.c | $(B)/test
	$(CC) $(CFLAGS) -D_FORTIFY_SOURCE=2 -o $@ $<
# A program that embeds the runtime (libzpoline.a, zpoline_start).
$(B)/test/embed: test/embed.c libzpoline.a zpoline.h | $(B)/test
	$(CC) $(CFLAGS) $(WARN) -o $@ $< libzpoline.a -ldl
$(B)/test/embed_nopie: test/embed.c libzpoline.a zpoline.h | $(B)/test
	$(CC) $(CFLAGS) $(WARN) -no-pie -o $@ $< libzpoline.a -ldl
$(B)/test/rt_%: test/rt_%.c | $(B)/test
	$(CC) $(CFLAGS) -o $@ $< -lpthread -ldl
$(B)/test/dl_lib.so: test/dl_lib.c | $(B)/test
	$(CC) $(CFLAGS) -shared -fPIC -o $@ $<
# hook_pass uses no library at all: no libc in its namespace either.
$(B)/test/hook_pass.so: test/hook_pass.c zpoline.h | $(B)/test
	$(CC) $(CFLAGS) -shared -fPIC -mgeneral-regs-only -nostdlib -o $@ $<
$(B)/test/hook_pass_vector.so: test/hook_pass.c zpoline.h | $(B)/test
	$(CC) $(CFLAGS) -shared -fPIC -mgeneral-regs-only -nostdlib \
		-DPASS_VECTOR -o $@ $<
$(B)/test/hook_early.so: test/hook_early.c test/hook_dec.h zpoline.h | $(B)/test
	$(CC) $(CFLAGS) -shared -fPIC -mgeneral-regs-only -nostdlib -o $@ $<
$(B)/test/hook_marker.so: test/hook_marker.c zpoline.h | $(B)/test
	$(CC) $(CFLAGS) -shared -fPIC -mgeneral-regs-only -nostdlib -o $@ $<
$(B)/test/hook_pass_next.so: test/hook_pass.c zpoline.h | $(B)/test
	$(CC) $(CFLAGS) -shared -fPIC -mgeneral-regs-only -nostdlib \
		-DPASS_NEXT -o $@ $<
$(B)/test/hook_%.so: test/hook_%.c zpoline.h | $(B)/test
	$(CC) $(CFLAGS) -shared -fPIC -o $@ $<
$(B)/test/pre_%.so: test/pre_%.c | $(B)/test
	$(CC) $(CFLAGS) -shared -fPIC -o $@ $<

# Several hooks, hot swap, embedding (test/hooks_check.sh).  The test
# hooks answer system calls no kernel has with values that name them
# (test/hook_answer.c), or log what they see (test/hook_log.c).
HOOKS_TESTS = $(addprefix $(B)/test/,rt_chain rt_swap rt_sigs embed embed_nopie \
	hook_answer_a.so hook_answer_b.so hook_answer_c.so \
	hook_answer_libc_a.so hook_answer_libc_c.so hook_log_x.so \
	hook_log_y.so hook_log_next.so hook_pass.so hook_libc.so \
	hook_ownfd.so hook_buffered.so hook_pass_next.so rt_clone rt_vfork \
	rt_signals) $(B)/test/rt_fds

check-hooks: all $(HOOKS_TESTS) $(RT_TESTS) $(RT_HOOKS)
	sh test/hooks_check.sh
	@echo "== the runtime's tests again, swapping on (every call takes the tracked path)"
	ZPOLINE_SWAP=RTMAX sh test/rt_check.sh

ANSWER_a = -DANSWER_NR=500 -DANSWER=1111
ANSWER_b = -DANSWER_NR=501 -DANSWER=2222
ANSWER_c = -DANSWER_NR=500 -DANSWER=3333
$(B)/test/hook_answer_a.so $(B)/test/hook_answer_b.so $(B)/test/hook_answer_c.so: \
		$(B)/test/hook_answer_%.so: test/hook_answer.c zpoline.h | $(B)/test
	$(CC) $(CFLAGS) -shared -fPIC -mgeneral-regs-only -nostdlib $(ANSWER_$*) \
		-o $@ $<
$(B)/test/hook_answer_libc_a.so $(B)/test/hook_answer_libc_c.so: \
		$(B)/test/hook_answer_libc_%.so: test/hook_answer.c zpoline.h | $(B)/test
	$(CC) $(CFLAGS) -shared -fPIC -DWITH_LIBC $(ANSWER_$*) -o $@ $<
$(B)/test/hook_log_x.so $(B)/test/hook_log_y.so: $(B)/test/hook_log_%.so: \
		test/hook_log.c test/hook_dec.h zpoline.h | $(B)/test
	$(CC) $(CFLAGS) -shared -fPIC -mgeneral-regs-only -nostdlib -DNAME='"$*"' \
		-o $@ $<
$(B)/test/hook_log_next.so: test/hook_log.c test/hook_dec.h zpoline.h | $(B)/test
	$(CC) $(CFLAGS) -shared -fPIC -mgeneral-regs-only -nostdlib -DNAME='"n"' \
		-DUSE_NEXT -o $@ $<

# Object layouts: each linker's, the old one-segment layout, a far text
# section, the end of a function (test/layout_check.sh); the planner's
# rules on hand-made cases (test/sites_cases.S), by zpscan and run.
check-layouts: all $(B)/test/hook_marker.so $(B)/test/hook_pass.so $(B)/test/rt_fde \
		$(B)/test/sites_cases.so $(B)/test/rt_sites
	sh test/layout_check.sh
	python3 test/sites_check.py ./zpscan $(B)/test/sites_cases.so
$(B)/test/sites_cases.so: test/sites_cases.S | $(B)/test
	$(CC) -shared -fPIC -o $@ $<
$(B)/test/rt_sites: test/rt_sites.c test/sites_cases.S | $(B)/test
	$(CC) $(CFLAGS) -o $@ $^
$(B)/test/rt_fde: test/rt_fde.c test/lay_fde.S | $(B)/test
	$(CC) $(CFLAGS) -o $@ $^

# Tracer tests: each compares the tracer's output with strace's view of
# the same run, or with what the test program is known to do.
TRACE_TESTS = $(addprefix $(B)/test/,trace_harness trace_threads)

check-tracer: all $(TRACE_TESTS)
	sh test/trace_check.sh $(B)

$(B)/test/trace_harness: test/trace_harness.c zpoline.h | $(B)/test
	$(CC) $(CFLAGS) $(WARN) -I. -o $@ $< -ldl
$(B)/test/trace_threads $(B)/test/trace_bench: $(B)/test/%: test/%.c | $(B)/test
	$(CC) $(CFLAGS) $(WARN) -o $@ $< -lpthread

# Real programs natively and hooked (test/programs_check.sh): git, python,
# bash, gcc, node, java, sqlite, tar/xz, CPython's test_ctypes and
# test_subprocess.  Installs what is missing with apt-get.
.PHONY: check-programs
check-programs: all $(B)/programs/hook_lose.so
	sh test/programs_check.sh

$(B)/programs/hook_lose.so: test/programs/hook_lose.c zpoline.h
	mkdir -p $(B)/programs
	$(CC) $(CFLAGS) -shared -fPIC -o $@ $<

check-full: check
	@if [ -z "$(LLVM_LIB)" ]; then echo "check-full: no libLLVM here"; exit 1; fi
	python3 test/decoder_objdump.py ./zpscan $(LLVM_LIB)

# ---- the zpoline command, the configuration parser, install ---------------
# config.o is built with the runtime's flags (it must run before libc is
# ready); check-command verifies that it needs no symbol at all.
VERSION = 0.1
PREFIX  = /usr/local
DESTDIR =

all: zpoline

$(B)/config.o: config.c config.h | $(B)
	$(CC) $(RT_CFLAGS) -c -o $@ $<

zpoline: command.c config.h zpoline.h $(B)/config.o
	$(CC) $(CFLAGS) $(WARN) -std=gnu11 -DZPOLINE_VERSION='"$(VERSION)"' \
		-o $@ command.c $(B)/config.o

# What install puts under PREFIX, and uninstall removes.
INSTALLED = bin/zpoline lib/libzpoline.so lib/libzpoline.a lib/libzpoline_hook.so \
	    include/zpoline.h lib/pkgconfig/zpoline.pc \
	    share/man/man1/zpoline.1 share/man/man7/zpoline.7

install: all
	install -D -m 755 zpoline $(DESTDIR)$(PREFIX)/bin/zpoline
	install -D -m 755 libzpoline.so $(DESTDIR)$(PREFIX)/lib/libzpoline.so
	install -D -m 644 libzpoline.a $(DESTDIR)$(PREFIX)/lib/libzpoline.a
	install -D -m 755 libzpoline_hook.so \
		$(DESTDIR)$(PREFIX)/lib/libzpoline_hook.so
	install -D -m 644 zpoline.h $(DESTDIR)$(PREFIX)/include/zpoline.h
	mkdir -p $(DESTDIR)$(PREFIX)/lib/pkgconfig
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' \
		zpoline.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/zpoline.pc
	install -D -m 644 zpoline.1 $(DESTDIR)$(PREFIX)/share/man/man1/zpoline.1
	install -D -m 644 zpoline.7 $(DESTDIR)$(PREFIX)/share/man/man7/zpoline.7

uninstall:
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/,$(INSTALLED))

# The command against strace and native runs, install, pkg-config, the
# man pages, and the configuration parser (test/cmd_check.sh).
CMD_TESTS = $(addprefix $(B)/test/,cfg_check cfg_check_asan cmd_exit \
	    cmd_static cmd_static_pie hook_pass.so)

check-command: all $(CMD_TESTS)
	sh test/cmd_check.sh $(B)

$(B)/test/cfg_check: test/cfg_check.c $(B)/config.o config.h | $(B)/test
	$(CC) $(CFLAGS) $(WARN) -std=gnu11 -o $@ $< $(B)/config.o
$(B)/test/cfg_check_asan: test/cfg_check.c config.c config.h | $(B)/test
	$(CC) -O1 -g -fsanitize=address,undefined $(WARN) -std=gnu11 -o $@ \
		$< config.c
$(B)/test/cmd_exit: test/cmd_exit.c | $(B)/test
	$(CC) $(CFLAGS) -o $@ $<
$(B)/test/cmd_static: test/cmd_exit.c | $(B)/test
	$(CC) $(CFLAGS) -static -o $@ $<
$(B)/test/cmd_static_pie: test/cmd_exit.c | $(B)/test
	$(CC) $(CFLAGS) -static-pie -fPIE -o $@ $<

.PHONY: install uninstall check-command

# ---- benchmarks -------------------------------------------------------------
bench: all bench-runtime bench-tracer bench-decoder

# Decoder throughput over libc's and libLLVM's code, and zp_find_sites's
# time on libc and ld.so (medians).
bench-decoder: all
	./zpscan --bench $(LIBDIR)/libc.so.6 /lib64/ld-linux-x86-64.so.2 $(LLVM_LIB)

# ns per getppid natively and hooked (wrapper and inline sites), start-up
# time of /bin/true and python3 natively and preloaded.
bench-runtime: all $(B)/test/bench_calls $(B)/test/bench_startup \
		$(B)/test/hook_pass.so $(B)/test/hook_pass_vector.so \
		$(B)/test/hook_pass_next.so
	sh test/bench_rt.sh
$(B)/test/bench_%: test/bench_%.c | $(B)/test
	$(CC) $(CFLAGS) -o $@ $<

# The tracer's cost per getppid, writing to /dev/null, next to strace's.
bench-tracer: all $(B)/test/trace_bench
	sh test/trace_bench.sh $(B)

clean:
	rm -rf $(B) libzpoline.so libzpoline_hook.so zpscan zpoline

.PHONY: all check check-decoder check-runtime check-layouts check-tracer check-full bench \
	check-hooks \
	bench-runtime bench-tracer bench-decoder clean

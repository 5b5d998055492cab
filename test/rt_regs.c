/*
 * rt_regs.c - a hooked inline syscall must leave the machine as a real
 * one does.  Runs rt_regs_probe.S and checks, against the patterns it set:
 * every general register but rax, rcx and r11 (rcx must hold the address
 * after the syscall, r11 the flags, as the kernel's sysret leaves them);
 * rflags, DF and CF included; xmm0-15, or zmm0-31 and k0-7 with AVX-512;
 * MXCSR; the x87 control word, status word and stack; the red zone
 * [rsp-128, rsp), its top word (where a page-0 site's `call` writes)
 * checked apart.  Prints one line per check; exit status 1 if any failed.
 * The same binary is run natively and hooked and must print the same;
 * with the arguments "hooked KIND" it also requires that its syscall
 * instruction was rewritten as KIND (island: jmp rel8; jump: the mov
 * before it became jmp rel32 and the syscall ud2; page0: call *%rax), so
 * a hooked run cannot pass by not being hooked.
 */
#include <cpuid.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

extern unsigned char probe_in[4096], probe_out[4096], probe_avx512;
extern const unsigned char probe_site[2], probe_mov[5];
void probe(int avx512);

static int failed;

static void check(const char *what, int ok)
{
	printf("%-44s %s\n", what, ok ? "ok" : "CHANGED");
	failed |= !ok;
}

static unsigned long q(const unsigned char *p, int off)
{
	unsigned long v;
	memcpy(&v, p + off, 8);
	return v;
}

int main(int argc, char **argv)
{
	unsigned a, b, c, d;
	int avx512 = __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 16)) &&
		     (b & (1u << 30));
	int hooked = argc > 1 && strcmp(argv[1], "hooked") == 0;
	int rounds = 100;
	static const char *gpr[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi",
				       "rdi", "r8", "r9", "r10", "r11", "r12", "r13",
				       "r14", "r15" };

	for (int i = 0; i < 4096; i++)
		probe_in[i] = (unsigned char)(i * 37 + 11);
	memcpy(probe_in + 2240, &(unsigned){ 0x1f80 | 0x6000 | 0x3f }, 4); /* RZ, all flags */
	memcpy(probe_in + 2244, &(unsigned short){ 0x0c7f }, 2);	      /* x87 RZ */
	probe_avx512 = avx512;
	for (int r = 0; r < rounds; r++) {
		memset(probe_out, 0, sizeof probe_out);
		probe(avx512);
		if (r + 1 < rounds)
			continue;
		check("rax = getppid()", (long)q(probe_out, 0) == getppid());
		check("rcx = address after the syscall", q(probe_out, 8) == q(probe_out, 2264));
		check("r11 = rflags at the syscall", q(probe_out, 88) == q(probe_out, 2248));
		for (int i = 2; i < 16; i++) {
			char what[64];
			if (i == 4 || i == 11)
				continue;
			snprintf(what, sizeof what, "%s preserved", gpr[i]);
			check(what, q(probe_out, i * 8) == q(probe_in, i * 8));
		}
		check("rflags (DF, CF) preserved", q(probe_out, 2256) == q(probe_out, 2248));
		check(avx512 ? "zmm0-31 preserved" : "xmm0-15 preserved",
		      memcmp(probe_out + 128, probe_in + 128, avx512 ? 2048 : 0) == 0 &&
			      (avx512 || ({
				       int ok = 1;
				       for (int k = 0; k < 16; k++)
					       ok &= !memcmp(probe_out + 128 + k * 64,
							     probe_in + 128 + k * 64, 16);
				       ok;
			       })));
		if (avx512)
			check("k0-7 preserved", memcmp(probe_out + 2176, probe_in + 2176, 64) == 0);
		check("MXCSR preserved", memcmp(probe_out + 2240, probe_in + 2240, 4) == 0);
		check("x87 control word preserved", memcmp(probe_out + 2244, probe_in + 2244, 2) == 0);
		unsigned short fsw;
		memcpy(&fsw, probe_out + 2246, 2);
		check("x87 status word: 2 on the stack, no exception",
		      ((fsw >> 11) & 7) == 6 && (fsw & 0x3f) == 0);
		long double one, pi;
		memcpy(&one, probe_out + 2272, 10);
		memcpy(&pi, probe_out + 2288, 10);
		check("x87 stack preserved", one == 1.0L && pi > 3.14159L && pi < 3.14160L);
		int rz = 1;
		for (int k = 0; k < 15; k++)
			rz &= q(probe_out, 2304 + 8 * k) == (16 - k) * 0x0101010101010101ul;
		check("red zone [rsp-128, rsp-8) preserved", rz);
		/* Printed, not counted: a page-0 site's call writes there
		   (rt_check.sh expects that line to differ for page0). */
		printf("%-44s %s\n", "red zone word at rsp-8 preserved",
		       q(probe_out, 2304 + 8 * 15) == 0x0101010101010101ul
			       ? "ok" : "CHANGED");
	}
	if (hooked) {
		const char *kind = argc > 2 ? argv[2] : "";
		int as = !strcmp(kind, "island") ? probe_site[0] == 0xeb :
			 !strcmp(kind, "jump") ? probe_mov[0] == 0xe9 &&
						 probe_site[0] == 0x0f &&
						 probe_site[1] == 0x0b :
			 !strcmp(kind, "page0") ? probe_site[0] == 0xff &&
						  probe_site[1] == 0xd0 : 0;
		if (!as) {
			printf("the probe's syscall was not rewritten as %s\n", kind);
			return 1;
		}
	}
	return failed;
}

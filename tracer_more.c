/*
 * tracer_more.c - the arguments of the structured calls real programs
 * make besides files and memory, as strace (6.1) prints them: fcntl,
 * ioctl's common requests (terminals, FIO*), sockets and their addresses
 * and messages, poll/select/epoll, futex, io_uring, prctl, arch_prctl.
 *
 * Invariants: as in tracer_calls.c.  Values a call writes back into an
 * argument it also reads (an address length, select's sets, ppoll's
 * timeout, recvmsg's name length) are shown as they were before the
 * call, from what more_entry_copy saved, as strace shows them.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/netlink.h>
#include <linux/prctl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>

#include "tracer.h"

#define A(i) (x->c->args[i])

static void put_aux_line(struct ctx *x, struct line *aux)
{
	aux->buf[aux->len] = 0;
	set_aux(x, aux->buf);
}

/* ---- fcntl ----------------------------------------------------------------- */

static const struct xlat fcntl_cmds[] = {
	{ 0, "F_DUPFD" },	 { 1, "F_GETFD" },	{ 2, "F_SETFD" },
	{ 3, "F_GETFL" },	 { 4, "F_SETFL" },	{ 5, "F_GETLK" },
	{ 6, "F_SETLK" },	 { 7, "F_SETLKW" },	{ 8, "F_SETOWN" },
	{ 9, "F_GETOWN" },	 { 10, "F_SETSIG" },	{ 11, "F_GETSIG" },
	{ 15, "F_SETOWN_EX" },	 { 16, "F_GETOWN_EX" }, { 17, "F_GETOWNER_UIDS" },
	{ 36, "F_OFD_GETLK" },	 { 37, "F_OFD_SETLK" }, { 38, "F_OFD_SETLKW" },
	{ 1024, "F_SETLEASE" },	 { 1025, "F_GETLEASE" }, { 1026, "F_NOTIFY" },
	{ 1029, "F_CANCELLK" },	 { 1030, "F_DUPFD_CLOEXEC" },
	{ 1031, "F_SETPIPE_SZ" }, { 1032, "F_GETPIPE_SZ" },
	{ 1033, "F_ADD_SEALS" }, { 1034, "F_GET_SEALS" },
	{ 1035, "F_GET_RW_HINT" }, { 1036, "F_SET_RW_HINT" },
	{ 1037, "F_GET_FILE_RW_HINT" }, { 1038, "F_SET_FILE_RW_HINT" },
	XEND
};
static const struct xlat fd_flags[] = { { 1, "FD_CLOEXEC" }, XEND };
static const struct xlat lock_types[] = {
	{ 0, "F_RDLCK" }, { 1, "F_WRLCK" }, { 2, "F_UNLCK" },
	{ 4, "F_EXLCK" }, { 8, "F_SHLCK" }, XEND
};
static const struct xlat whence_names[] = {
	{ 0, "SEEK_SET" }, { 1, "SEEK_CUR" }, { 2, "SEEK_END" },
	{ 3, "SEEK_DATA" }, { 4, "SEEK_HOLE" }, XEND
};
static const struct xlat owner_types[] = {
	{ 0, "F_OWNER_TID" }, { 1, "F_OWNER_PID" }, { 2, "F_OWNER_PGRP" }, XEND
};
static const struct xlat notify_flags[] = {
	{ 1, "DN_ACCESS" }, { 2, "DN_MODIFY" }, { 4, "DN_CREATE" },
	{ 8, "DN_DELETE" }, { 0x10, "DN_RENAME" }, { 0x20, "DN_ATTRIB" },
	{ 0x80000000, "DN_MULTISHOT" }, XEND
};
static const struct xlat seal_flags[] = {
	{ 1, "F_SEAL_SEAL" }, { 2, "F_SEAL_SHRINK" }, { 4, "F_SEAL_GROW" },
	{ 8, "F_SEAL_WRITE" }, { 0x10, "F_SEAL_FUTURE_WRITE" }, XEND
};

static void put_flock_at(struct ctx *x, unsigned long addr, enum dir d,
			 int with_pid)
{
	struct flock fl;
	struct line *l = x->l;

	if (!fetch(x, addr, &fl, sizeof fl, d))
		return;
	put(l, "{l_type=");
	put_xval(l, (unsigned short)fl.l_type, lock_types, "F_???");
	put(l, ", l_whence=");
	put_xval(l, (unsigned short)fl.l_whence, whence_names, "SEEK_???");
	put(l, ", l_start=");
	put_dec(l, fl.l_start);
	put(l, ", l_len=");
	put_dec(l, fl.l_len);
	if (with_pid) {
		put(l, ", l_pid=");
		put_dec(l, fl.l_pid);
	}
	put_c(l, '}');
}

static void put_owner_at(struct ctx *x, unsigned long addr, enum dir d)
{
	struct f_owner_ex o;
	if (!fetch(x, addr, &o, sizeof o, d))
		return;
	put(x->l, "{type=");
	put_xval(x->l, o.type, owner_types, "F_OWNER_???");
	put(x->l, ", pid=");
	put_dec(x->l, o.pid);
	put_c(x->l, '}');
}

/* A result shown in hex with its flags: "0x1 (flags FD_CLOEXEC)". */
static void flags_result(struct ctx *x, const char *what,
			 const struct xlat *t)
{
	struct line aux;
	aux.len = 0;
	x->rv->rfmt = R_HEX;
	put(&aux, what);
	put_flags(&aux, x->res, t, NULL);
	put_aux_line(x, &aux);
}

/* fcntl(fd, cmd, arg) */
static void d_fcntl(struct ctx *x)
{
	unsigned cmd = A(1);
	unsigned long arg = A(2);
	struct line *l = x->l, aux;
	int ok = !x->failed;

	put_dec(l, (int)A(0));
	sep(x);
	put_xval(l, cmd, fcntl_cmds, "F_???");
	switch (cmd) {
	case F_GETFD:
		if (ok && x->res)
			flags_result(x, "flags ", fd_flags);
		return;
	case F_GETFL:
		if (ok) {
			aux.len = 0;
			x->rv->rfmt = R_HEX;
			put(&aux, "flags ");
			put_open_flags(&aux, x->res);
			put_aux_line(x, &aux);
		}
		return;
	case F_GET_SEALS:
		if (ok && x->res)
			flags_result(x, "seals ", seal_flags);
		return;
	case F_GETLEASE:
		if (ok && xlookup(lock_types, x->res)) {
			x->rv->rfmt = R_HEX;
			set_aux(x, xlookup(lock_types, x->res));
		}
		return;
	case F_GETSIG:
		if (ok && x->res) {
			aux.len = 0;
			put_signame(&aux, x->res);
			put_aux_line(x, &aux);
		}
		return;
	case F_GETOWN:
	case F_GETPIPE_SZ:
		return;
	}
	sep(x);
	switch (cmd) {
	case F_SETFD:
		put_flags(l, arg, fd_flags, "FD_???");
		break;
	case F_SETFL:
		put_open_flags(l, arg);
		break;
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
	case F_SETOWN:
	case F_SETPIPE_SZ:
		put_dec(l, (int)arg);
		break;
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		put_flock_at(x, arg, IN, 0);
		break;
	case F_GETLK:
	case F_OFD_GETLK:
		put_flock_at(x, arg, OUT, 1);
		break;
	case F_SETOWN_EX:
		put_owner_at(x, arg, IN);
		break;
	case F_GETOWN_EX:
		put_owner_at(x, arg, OUT);
		break;
	case F_NOTIFY:
		put_flags(l, arg, notify_flags, "DN_???");
		break;
	case F_SETLEASE:
		put_xval(l, arg, lock_types, "F_???");
		break;
	case F_ADD_SEALS:
		put_flags(l, arg, seal_flags, "F_SEAL_???");
		break;
	case F_SETSIG:
		put_signame(l, (int)arg);
		break;
	default:
		put_hex(l, arg);
	}
}

/* ---- ioctl ------------------------------------------------------------------ */

/* Requests by their full number; several names for one number are
 * listed together, in strace's (alphabetical) order. */
static const struct xlat ioctl_names[] = {
	{ 0x5401, "TCGETS" },		{ 0x5402, "SNDCTL_TMR_START or TCSETS" },
	{ 0x5403, "SNDCTL_TMR_STOP or TCSETSW" },
	{ 0x5404, "SNDCTL_TMR_CONTINUE or TCSETSF" },
	{ 0x5405, "TCGETA" },		{ 0x5406, "TCSETA" },
	{ 0x5407, "TCSETAW" },		{ 0x5408, "TCSETAF" },
	{ 0x5409, "TCSBRK" },		{ 0x540a, "TCXONC" },
	{ 0x540b, "TCFLSH" },		{ 0x540c, "TIOCEXCL" },
	{ 0x540d, "TIOCNXCL" },		{ 0x540e, "TIOCSCTTY" },
	{ 0x540f, "TIOCGPGRP" },	{ 0x5410, "TIOCSPGRP" },
	{ 0x5411, "TIOCOUTQ" },		{ 0x5412, "TIOCSTI" },
	{ 0x5413, "TIOCGWINSZ" },	{ 0x5414, "TIOCSWINSZ" },
	{ 0x5415, "TIOCMGET" },		{ 0x5416, "TIOCMBIS" },
	{ 0x5417, "TIOCMBIC" },		{ 0x5418, "TIOCMSET" },
	{ 0x5419, "TIOCGSOFTCAR" },	{ 0x541a, "TIOCSSOFTCAR" },
	{ 0x541b, "FIONREAD" },		{ 0x541c, "TIOCLINUX" },
	{ 0x541d, "TIOCCONS" },		{ 0x541e, "TIOCGSERIAL" },
	{ 0x541f, "TIOCSSERIAL" },	{ 0x5420, "TIOCPKT" },
	{ 0x5421, "FIONBIO" },		{ 0x5422, "TIOCNOTTY" },
	{ 0x5423, "TIOCSETD" },		{ 0x5424, "TIOCGETD" },
	{ 0x5425, "TCSBRKP" },		{ 0x5427, "TIOCSBRK" },
	{ 0x5428, "TIOCCBRK" },		{ 0x5429, "TIOCGSID" },
	{ 0x802c542a, "TCGETS2" },	{ 0x402c542b, "TCSETS2" },
	{ 0x402c542c, "TCSETSW2" },	{ 0x402c542d, "TCSETSF2" },
	{ 0x80045430, "TIOCGPTN" },	{ 0x40045431, "TIOCSPTLCK" },
	{ 0x80045432, "TIOCGDEV" },	{ 0x5432, "TCGETX" },
	{ 0x5433, "TCSETX" },		{ 0x5434, "TCSETXF" },
	{ 0x5435, "TCSETXW" },		{ 0x40045436, "TIOCSIG" },
	{ 0x5437, "TIOCVHANGUP" },	{ 0x80045438, "TIOCGPKT" },
	{ 0x80045439, "TIOCGPTLCK" },	{ 0x80045440, "TIOCGEXCL" },
	{ 0x5441, "TIOCGPTPEER" },	{ 0x5450, "FIONCLEX" },
	{ 0x5451, "FIOCLEX" },		{ 0x5452, "FIOASYNC" },
	{ 0x5453, "TIOCSERCONFIG" },	{ 0x5454, "TIOCSERGWILD" },
	{ 0x5455, "TIOCSERSWILD" },	{ 0x5456, "TIOCGLCKTRMIOS" },
	{ 0x5457, "TIOCSLCKTRMIOS" },	{ 0x5458, "TIOCSERGSTRUCT" },
	{ 0x5459, "TIOCSERGETLSR" },	{ 0x5460, "FIOQSIZE" },
	{ 0x8901, "FIOSETOWN" },	{ 0x8902, "SIOCSPGRP" },
	{ 0x8903, "FIOGETOWN" },	{ 0x8904, "SIOCGPGRP" },
	{ 0x8905, "SIOCATMARK" },	{ 0x40049409, "BTRFS_IOC_CLONE or FICLONE" },
	XEND
};

static const struct xlat term_iflags[] = {
	{ 01, "IGNBRK" }, { 02, "BRKINT" }, { 04, "IGNPAR" }, { 010, "PARMRK" },
	{ 020, "INPCK" }, { 040, "ISTRIP" }, { 0100, "INLCR" }, { 0200, "IGNCR" },
	{ 0400, "ICRNL" }, { 01000, "IUCLC" }, { 02000, "IXON" },
	{ 04000, "IXANY" }, { 010000, "IXOFF" }, { 020000, "IMAXBEL" },
	{ 040000, "IUTF8" }, XEND
};
static const struct xlat term_oflags[] = {
	{ 01, "OPOST" }, { 02, "OLCUC" }, { 04, "ONLCR" }, { 010, "OCRNL" },
	{ 020, "ONOCR" }, { 040, "ONLRET" }, { 0100, "OFILL" },
	{ 0200, "OFDEL" }, XEND
};
static const struct xlat term_lflags[] = {
	{ 01, "ISIG" }, { 02, "ICANON" }, { 04, "XCASE" }, { 010, "ECHO" },
	{ 020, "ECHOE" }, { 040, "ECHOK" }, { 0100, "ECHONL" },
	{ 0200, "NOFLSH" }, { 0100000, "IEXTEN" }, { 01000, "ECHOCTL" },
	{ 02000, "ECHOPRT" }, { 04000, "ECHOKE" }, { 010000, "FLUSHO" },
	{ 040000, "PENDIN" }, { 0400, "TOSTOP" }, { 0200000, "EXTPROC" }, XEND
};
static const struct xlat term_cflags[] = {
	{ 0100, "CSTOPB" }, { 0200, "CREAD" }, { 0400, "PARENB" },
	{ 01000, "PARODD" }, { 02000, "HUPCL" }, { 04000, "CLOCAL" },
	{ 010000000000, "CMSPAR" }, { 020000000000, "CRTSCTS" }, XEND
};
static const char *const bauds[] = {
	"B0", "B50", "B75", "B110", "B134", "B150", "B200", "B300", "B600",
	"B1200", "B1800", "B2400", "B4800", "B9600", "B19200", "B38400",
};
static const char *const bauds_ex[] = {
	"BOTHER", "B57600", "B115200", "B230400", "B460800", "B500000",
	"B576000", "B921600", "B1000000", "B1152000", "B1500000", "B2000000",
	"B2500000", "B3000000", "B3500000", "B4000000",
};

static void put_baud(struct line *l, unsigned v)
{
	if (v < 16)
		put(l, bauds[v]);
	else if ((v & ~017u) == 010000 && v - 010000 < 16)
		put(l, bauds_ex[v - 010000]);
	else {
		put_hex(l, v);
		put_comment(l, "B???");
	}
}

/* The kernel's struct termios: flags abbreviated as strace does. */
static void put_termios_at(struct ctx *x, unsigned long addr, enum dir d)
{
	static const char *const delay[][4] = {
		{ "NL0", "NL1" }, { "CR0", "CR1", "CR2", "CR3" },
		{ "TAB0", "TAB1", "TAB2", "TAB3" }, { "BS0", "BS1" },
		{ "VT0", "VT1" }, { "FF0", "FF1" },
	};
	static const unsigned masks[] = { 0400, 03000, 014000, 020000,
					  040000, 0100000 };
	unsigned t[4];
	struct line *l = x->l;

	if (!fetch(x, addr, t, sizeof t, d))
		return;
	put(l, "{c_iflag=");
	put_flags(l, t[0], term_iflags, NULL);
	put(l, ", c_oflag=");
	for (int i = 0; i < 6; i++) {
		unsigned v = (t[1] & masks[i]) / (masks[i] & -masks[i]);
		put(l, delay[i][v] ? delay[i][v] : "?");
		put_c(l, '|');
		t[1] &= ~masks[i];
	}
	put_flags(l, t[1], term_oflags, NULL);
	put(l, ", c_cflag=");
	put_baud(l, t[2] & 010017);
	put_c(l, '|');
	if (t[2] & 002003600000) {
		put_baud(l, (t[2] & 002003600000) >> 16);
		put(l, "<<IBSHIFT|");
	}
	put(l, (const char *[]){ "CS5", "CS6", "CS7", "CS8" }[(t[2] >> 4) & 3]);
	put_c(l, '|');
	put_flags(l, t[2] & ~(010017u | 002003600000u | 060u), term_cflags, NULL);
	put(l, ", c_lflag=");
	put_flags(l, t[3], term_lflags, NULL);
	put(l, ", ...}");
}

static void put_winsize_at(struct ctx *x, unsigned long addr, enum dir d)
{
	unsigned short w[4];
	if (!fetch(x, addr, w, sizeof w, d))
		return;
	put(x->l, "{ws_row=");
	put_udec(x->l, w[0]);
	put(x->l, ", ws_col=");
	put_udec(x->l, w[1]);
	put(x->l, ", ws_xpixel=");
	put_udec(x->l, w[2]);
	put(x->l, ", ws_ypixel=");
	put_udec(x->l, w[3]);
	put_c(x->l, '}');
}

/* An unknown request: "_IOC(_IOC_READ, 0x78, 0x1, 0x4)". */
static void put_ioc(struct line *l, unsigned code)
{
	static const struct xlat dirs[] = {
		{ 0, "_IOC_NONE" }, { 2, "_IOC_READ" }, { 1, "_IOC_WRITE" }, XEND
	};
	unsigned dir = code >> 30;
	put(l, "_IOC(");
	put_flags(l, dir, dirs, "_IOC_???");
	put(l, ", ");
	put_hex(l, (code >> 8) & 0xff);
	put(l, ", ");
	put_hex(l, code & 0xff);
	put(l, ", ");
	put_hex(l, (code >> 16) & 0x3fff);
	put_c(l, ')');
}

/* ioctl(fd, request, arg) */
static void d_ioctl(struct ctx *x)
{
	static const struct xlat tcflsh[] = {
		{ 0, "TCIFLUSH" }, { 1, "TCOFLUSH" }, { 2, "TCIOFLUSH" }, XEND
	};
	static const struct xlat tcxonc[] = {
		{ 0, "TCOOFF" }, { 1, "TCOON" }, { 2, "TCIOFF" }, { 3, "TCION" },
		XEND
	};
	unsigned code = A(1);
	unsigned long arg = A(2);
	const char *name = xlookup(ioctl_names, code);
	struct line *l = x->l;

	put_dec(l, (int)A(0));
	sep(x);
	if (name)
		put(l, name);
	else
		put_ioc(l, code);
	switch (code) {
	case 0x5401: case 0x5456:			/* TCGETS */
		sep(x);
		put_termios_at(x, arg, OUT);
		return;
	case 0x5402: case 0x5403: case 0x5404: case 0x5457:	/* TCSETS* */
		sep(x);
		put_termios_at(x, arg, IN);
		return;
	case 0x5413:					/* TIOCGWINSZ */
		sep(x);
		put_winsize_at(x, arg, OUT);
		return;
	case 0x5414:					/* TIOCSWINSZ */
		sep(x);
		put_winsize_at(x, arg, IN);
		return;
	case 0x540a:					/* TCXONC */
		sep(x);
		put_xval(l, arg, tcxonc, "TC???");
		return;
	case 0x540b:					/* TCFLSH */
		sep(x);
		put_xval(l, arg, tcflsh, "TC???");
		return;
	case 0x5409: case 0x5425: case 0x540e:		/* TCSBRK, TIOCSCTTY */
		sep(x);
		put_dec(l, (int)arg);
		return;
	case 0x540f: case 0x5429: case 0x5424: case 0x5419: /* int out */
	case 0x80045430: case 0x541b: case 0x5411: case 0x80045440:
	case 0x80045432: case 0x8903: case 0x8904: case 0x8905:
		sep(x);
		put_int_at(x, arg, OUT);
		return;
	case 0x5410: case 0x5423: case 0x5421: case 0x5452: /* int in */
	case 0x5420: case 0x541a: case 0x40045431: case 0x8901: case 0x8902:
		sep(x);
		put_int_at(x, arg, IN);
		return;
	case 0x5412:					/* TIOCSTI */
		sep(x);
		put_buf(l, arg, 1, !x->failed);
		return;
	case 0x5427: case 0x5428: case 0x541d: case 0x5422: case 0x540c:
	case 0x540d: case 0x5451: case 0x5450: case 0x5437: case 0x541f:
		return;					/* no argument */
	case 0x40049409:				/* FICLONE */
		sep(x);
		put_dec(l, (int)arg);
		return;
	}
	sep(x);
	put_hex(l, arg);
}

/* ---- socket addresses ---------------------------------------------------------- */

static const struct xlat families[] = {
	{ 0, "AF_UNSPEC" },	{ 1, "AF_UNIX" },	{ 2, "AF_INET" },
	{ 3, "AF_AX25" },	{ 4, "AF_IPX" },	{ 5, "AF_APPLETALK" },
	{ 6, "AF_NETROM" },	{ 7, "AF_BRIDGE" },	{ 8, "AF_ATMPVC" },
	{ 9, "AF_X25" },	{ 10, "AF_INET6" },	{ 11, "AF_ROSE" },
	{ 12, "AF_DECnet" },	{ 13, "AF_NETBEUI" },	{ 14, "AF_SECURITY" },
	{ 15, "AF_KEY" },	{ 16, "AF_NETLINK" },	{ 17, "AF_PACKET" },
	{ 18, "AF_ASH" },	{ 19, "AF_ECONET" },	{ 20, "AF_ATMSVC" },
	{ 21, "AF_RDS" },	{ 22, "AF_SNA" },	{ 23, "AF_IRDA" },
	{ 24, "AF_PPPOX" },	{ 25, "AF_WANPIPE" },	{ 26, "AF_LLC" },
	{ 27, "AF_IB" },	{ 28, "AF_MPLS" },	{ 29, "AF_CAN" },
	{ 30, "AF_TIPC" },	{ 31, "AF_BLUETOOTH" },	{ 32, "AF_IUCV" },
	{ 33, "AF_RXRPC" },	{ 34, "AF_ISDN" },	{ 35, "AF_PHONET" },
	{ 36, "AF_IEEE802154" }, { 37, "AF_CAIF" },	{ 38, "AF_ALG" },
	{ 39, "AF_NFC" },	{ 40, "AF_VSOCK" },	{ 41, "AF_KCM" },
	{ 42, "AF_QIPCRTR" },	{ 43, "AF_SMC" },	{ 44, "AF_XDP" },
	{ 45, "AF_MCTP" },	XEND
};

static void put_family(struct line *l, unsigned f)
{
	put_xval(l, f, families, "AF_???");
}

/* A struct sockaddr already copied (len bytes). */
static void put_sockaddr_bytes(struct line *l, const unsigned char *b,
			       long len)
{
	unsigned short fam;

	memcpy(&fam, b, 2);
	put(l, "{sa_family=");
	put_family(l, fam);
	if (len <= 2) {
		put_c(l, '}');
		return;
	}
	put(l, ", ");
	if (fam == AF_UNIX) {
		const struct sockaddr_un *un = (const void *)b;
		long n = (len > (long)sizeof *un ? (long)sizeof *un : len) - 2;
		put(l, "sun_path=");
		if (un->sun_path[0]) {
			size_t k = strnlen(un->sun_path, n);
			put_bytes(l, (const void *)un->sun_path, k, k, 0);
		} else {
			put_c(l, '@');
			put_bytes(l, (const void *)(un->sun_path + 1), n - 1,
				  n - 1, 0);
		}
	} else if (fam == AF_INET && len >= (long)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const void *)b;
		char a[INET_ADDRSTRLEN];
		put(l, "sin_port=htons(");
		put_udec(l, ntohs(in->sin_port));
		put(l, "), sin_addr=inet_addr(\"");
		put(l, inet_ntop(AF_INET, &in->sin_addr, a, sizeof a));
		put(l, "\")");
	} else if (fam == AF_INET6 && len >= 24) {
		const struct sockaddr_in6 *in6 = (const void *)b;
		char a[INET6_ADDRSTRLEN];
		put(l, "sin6_port=htons(");
		put_udec(l, ntohs(in6->sin6_port));
		put(l, "), sin6_flowinfo=htonl(");
		put_udec(l, ntohl(in6->sin6_flowinfo));
		put(l, "), inet_pton(AF_INET6, \"");
		put(l, inet_ntop(AF_INET6, &in6->sin6_addr, a, sizeof a));
		put(l, "\", &sin6_addr)");
		if (len > 24) {
			put(l, ", sin6_scope_id=");
			put_udec(l, in6->sin6_scope_id);
		}
	} else if (fam == AF_NETLINK && len >= (long)sizeof(struct sockaddr_nl)) {
		const struct sockaddr_nl *nl = (const void *)b;
		if (nl->nl_pad) {
			put(l, "nl_pad=");
			put_hex(l, nl->nl_pad);
			put(l, ", ");
		}
		put(l, "nl_pid=");
		put_dec(l, (int)nl->nl_pid);
		put(l, ", nl_groups=");
		put_0x(l, nl->nl_groups, 8);
	} else {
		put(l, "sa_data=");
		put_bytes(l, b + 2, len - 2, len - 2, 0);
	}
	put_c(l, '}');
}

void put_sockaddr(struct ctx *x, unsigned long addr, long len, enum dir d)
{
	unsigned char b[sizeof(struct sockaddr_storage) + 1] = { 0 };

	if (len < 2) {
		put_ptr(x->l, addr);
		return;
	}
	if (len > (long)sizeof(struct sockaddr_storage))
		len = sizeof(struct sockaddr_storage);
	if (fetch(x, addr, b, len, d))
		put_sockaddr_bytes(x->l, b, len);
}

/* ---- sockets --------------------------------------------------------------------- */

static const struct xlat sock_types[] = {
	{ 1, "SOCK_STREAM" }, { 2, "SOCK_DGRAM" }, { 3, "SOCK_RAW" },
	{ 4, "SOCK_RDM" }, { 5, "SOCK_SEQPACKET" }, { 6, "SOCK_DCCP" },
	{ 10, "SOCK_PACKET" }, XEND
};
static const struct xlat sock_flags[] = {
	{ 02000000, "SOCK_CLOEXEC" }, { 04000, "SOCK_NONBLOCK" }, XEND
};
static const struct xlat ip_protocols[] = {
	{ 0, "IPPROTO_IP" },	{ 1, "IPPROTO_ICMP" },	{ 2, "IPPROTO_IGMP" },
	{ 4, "IPPROTO_IPIP" },	{ 6, "IPPROTO_TCP" },	{ 8, "IPPROTO_EGP" },
	{ 12, "IPPROTO_PUP" },	{ 17, "IPPROTO_UDP" },	{ 22, "IPPROTO_IDP" },
	{ 29, "IPPROTO_TP" },	{ 33, "IPPROTO_DCCP" },	{ 41, "IPPROTO_IPV6" },
	{ 43, "IPPROTO_ROUTING" }, { 44, "IPPROTO_FRAGMENT" },
	{ 46, "IPPROTO_RSVP" },	{ 47, "IPPROTO_GRE" },	{ 50, "IPPROTO_ESP" },
	{ 51, "IPPROTO_AH" },	{ 58, "IPPROTO_ICMPV6" }, { 59, "IPPROTO_NONE" },
	{ 60, "IPPROTO_DSTOPTS" }, { 92, "IPPROTO_MTP" }, { 94, "IPPROTO_BEETPH" },
	{ 98, "IPPROTO_ENCAP" }, { 103, "IPPROTO_PIM" }, { 108, "IPPROTO_COMP" },
	{ 115, "IPPROTO_L2TP" }, { 132, "IPPROTO_SCTP" }, { 135, "IPPROTO_MH" },
	{ 136, "IPPROTO_UDPLITE" }, { 137, "IPPROTO_MPLS" },
	{ 143, "IPPROTO_ETHERNET" }, { 255, "IPPROTO_RAW" },
	{ 262, "IPPROTO_MPTCP" }, XEND
};
static const struct xlat netlink_protocols[] = {
	{ 0, "NETLINK_ROUTE" },	 { 1, "NETLINK_UNUSED" }, { 2, "NETLINK_USERSOCK" },
	{ 3, "NETLINK_FIREWALL" }, { 4, "NETLINK_SOCK_DIAG" },
	{ 5, "NETLINK_NFLOG" },	 { 6, "NETLINK_XFRM" },	 { 7, "NETLINK_SELINUX" },
	{ 8, "NETLINK_ISCSI" },	 { 9, "NETLINK_AUDIT" },
	{ 10, "NETLINK_FIB_LOOKUP" }, { 11, "NETLINK_CONNECTOR" },
	{ 12, "NETLINK_NETFILTER" }, { 13, "NETLINK_IP6_FW" },
	{ 14, "NETLINK_DNRTMSG" }, { 15, "NETLINK_KOBJECT_UEVENT" },
	{ 16, "NETLINK_GENERIC" }, { 18, "NETLINK_SCSITRANSPORT" },
	{ 19, "NETLINK_ECRYPTFS" }, { 20, "NETLINK_RDMA" },
	{ 21, "NETLINK_CRYPTO" }, { 22, "NETLINK_SMC" }, XEND
};
static const struct xlat eth_protocols[] = {
	{ 0x0003, "ETH_P_ALL" }, { 0x0800, "ETH_P_IP" }, { 0x0806, "ETH_P_ARP" },
	{ 0x86dd, "ETH_P_IPV6" }, { 0x8100, "ETH_P_8021Q" }, XEND
};
static const struct xlat msg_flags[] = {
	{ 0x1, "MSG_OOB" },	 { 0x2, "MSG_PEEK" },	{ 0x4, "MSG_DONTROUTE" },
	{ 0x8, "MSG_CTRUNC" },	 { 0x10, "MSG_PROBE" },	{ 0x20, "MSG_TRUNC" },
	{ 0x40, "MSG_DONTWAIT" }, { 0x80, "MSG_EOR" },	{ 0x100, "MSG_WAITALL" },
	{ 0x200, "MSG_FIN" },	 { 0x400, "MSG_SYN" },	{ 0x800, "MSG_CONFIRM" },
	{ 0x1000, "MSG_RST" },	 { 0x2000, "MSG_ERRQUEUE" },
	{ 0x4000, "MSG_NOSIGNAL" }, { 0x8000, "MSG_MORE" },
	{ 0x10000, "MSG_WAITFORONE" }, { 0x20000, "MSG_SENDPAGE_NOTLAST" },
	{ 0x40000, "MSG_BATCH" }, { 0x80000, "MSG_NO_SHARED_FRAGS" },
	{ 0x4000000, "MSG_ZEROCOPY" }, { 0x20000000, "MSG_FASTOPEN" },
	{ 0x40000000, "MSG_CMSG_CLOEXEC" }, XEND
};
static const struct xlat shutdown_modes[] = {
	{ 0, "SHUT_RD" }, { 1, "SHUT_WR" }, { 2, "SHUT_RDWR" }, XEND
};
static const struct xlat sol_levels[] = {
	{ 0, "SOL_IP" },	{ 1, "SOL_SOCKET" },	{ 6, "SOL_TCP" },
	{ 17, "SOL_UDP" },	{ 41, "SOL_IPV6" },	{ 58, "SOL_ICMPV6" },
	{ 132, "SOL_SCTP" },	{ 136, "SOL_UDPLITE" },	{ 255, "SOL_RAW" },
	{ 263, "SOL_PACKET" },	{ 270, "SOL_NETLINK" },	{ 282, "SOL_TLS" },
	XEND
};
static const struct xlat so_options[] = {
	{ 1, "SO_DEBUG" },	{ 2, "SO_REUSEADDR" },	{ 3, "SO_TYPE" },
	{ 4, "SO_ERROR" },	{ 5, "SO_DONTROUTE" },	{ 6, "SO_BROADCAST" },
	{ 7, "SO_SNDBUF" },	{ 8, "SO_RCVBUF" },	{ 9, "SO_KEEPALIVE" },
	{ 10, "SO_OOBINLINE" },	{ 11, "SO_NO_CHECK" },	{ 12, "SO_PRIORITY" },
	{ 13, "SO_LINGER" },	{ 14, "SO_BSDCOMPAT" },	{ 15, "SO_REUSEPORT" },
	{ 16, "SO_PASSCRED" },	{ 17, "SO_PEERCRED" },	{ 18, "SO_RCVLOWAT" },
	{ 19, "SO_SNDLOWAT" },	{ 20, "SO_RCVTIMEO_OLD" },
	{ 21, "SO_SNDTIMEO_OLD" }, { 25, "SO_BINDTODEVICE" },
	{ 27, "SO_DETACH_FILTER" }, { 28, "SO_PEERNAME" },
	{ 29, "SO_TIMESTAMP_OLD" }, { 30, "SO_ACCEPTCONN" },
	{ 31, "SO_PEERSEC" },	{ 32, "SO_SNDBUFFORCE" },
	{ 33, "SO_RCVBUFFORCE" }, { 34, "SO_PASSSEC" },
	{ 35, "SO_TIMESTAMPNS_OLD" }, { 36, "SO_MARK" },
	{ 37, "SO_TIMESTAMPING_OLD" }, { 38, "SO_PROTOCOL" },
	{ 39, "SO_DOMAIN" },	{ 40, "SO_RXQ_OVFL" },	{ 41, "SO_WIFI_STATUS" },
	{ 42, "SO_PEEK_OFF" },	{ 43, "SO_NOFCS" },	{ 44, "SO_LOCK_FILTER" },
	{ 45, "SO_SELECT_ERR_QUEUE" }, { 46, "SO_BUSY_POLL" },
	{ 47, "SO_MAX_PACING_RATE" }, { 48, "SO_BPF_EXTENSIONS" },
	{ 49, "SO_INCOMING_CPU" }, { 50, "SO_ATTACH_BPF" },
	{ 53, "SO_CNX_ADVICE" }, { 55, "SO_MEMINFO" },
	{ 56, "SO_INCOMING_NAPI_ID" }, { 57, "SO_COOKIE" },
	{ 59, "SO_PEERGROUPS" }, { 60, "SO_ZEROCOPY" }, { 61, "SO_TXTIME" },
	{ 62, "SO_BINDTOIFINDEX" }, { 63, "SO_TIMESTAMP_NEW" },
	{ 64, "SO_TIMESTAMPNS_NEW" }, { 65, "SO_TIMESTAMPING_NEW" },
	{ 66, "SO_RCVTIMEO_NEW" }, { 67, "SO_SNDTIMEO_NEW" },
	{ 68, "SO_DETACH_REUSEPORT_BPF" }, { 69, "SO_PREFER_BUSY_POLL" },
	{ 70, "SO_BUSY_POLL_BUDGET" }, { 71, "SO_NETNS_COOKIE" },
	{ 72, "SO_BUF_LOCK" }, { 73, "SO_RESERVE_MEM" }, { 74, "SO_TXREHASH" },
	{ 75, "SO_RCVMARK" }, XEND
};
static const struct xlat ip_options[] = {
	{ 1, "IP_TOS" },	{ 2, "IP_TTL" },	{ 3, "IP_HDRINCL" },
	{ 4, "IP_OPTIONS" },	{ 5, "IP_ROUTER_ALERT" }, { 6, "IP_RECVOPTS" },
	{ 7, "IP_RETOPTS" },	{ 8, "IP_PKTINFO" },	{ 9, "IP_PKTOPTIONS" },
	{ 10, "IP_MTU_DISCOVER" }, { 11, "IP_RECVERR" }, { 12, "IP_RECVTTL" },
	{ 13, "IP_RECVTOS" },	{ 14, "IP_MTU" },	{ 15, "IP_FREEBIND" },
	{ 16, "IP_IPSEC_POLICY" }, { 17, "IP_XFRM_POLICY" },
	{ 18, "IP_PASSSEC" },	{ 19, "IP_TRANSPARENT" },
	{ 20, "IP_ORIGDSTADDR" }, { 21, "IP_MINTTL" }, { 22, "IP_NODEFRAG" },
	{ 23, "IP_CHECKSUM" },	{ 24, "IP_BIND_ADDRESS_NO_PORT" },
	{ 25, "IP_RECVFRAGSIZE" }, { 26, "IP_RECVERR_RFC4884" },
	{ 32, "IP_MULTICAST_IF" }, { 33, "IP_MULTICAST_TTL" },
	{ 34, "IP_MULTICAST_LOOP" }, { 35, "IP_ADD_MEMBERSHIP" },
	{ 36, "IP_DROP_MEMBERSHIP" }, { 49, "IP_MULTICAST_ALL" },
	{ 50, "IP_UNICAST_IF" }, XEND
};
static const struct xlat tcp_options[] = {
	{ 1, "TCP_NODELAY" },	{ 2, "TCP_MAXSEG" },	{ 3, "TCP_CORK" },
	{ 4, "TCP_KEEPIDLE" },	{ 5, "TCP_KEEPINTVL" },	{ 6, "TCP_KEEPCNT" },
	{ 7, "TCP_SYNCNT" },	{ 8, "TCP_LINGER2" },	{ 9, "TCP_DEFER_ACCEPT" },
	{ 10, "TCP_WINDOW_CLAMP" }, { 11, "TCP_INFO" }, { 12, "TCP_QUICKACK" },
	{ 13, "TCP_CONGESTION" }, { 14, "TCP_MD5SIG" },
	{ 18, "TCP_USER_TIMEOUT" }, { 19, "TCP_REPAIR" },
	{ 23, "TCP_FASTOPEN" },	{ 24, "TCP_TIMESTAMP" },
	{ 25, "TCP_NOTSENT_LOWAT" }, { 30, "TCP_FASTOPEN_CONNECT" },
	{ 31, "TCP_ULP" },	{ 36, "TCP_INQ" },	XEND
};
static const struct xlat ipv6_options[] = {
	{ 1, "IPV6_ADDRFORM" },	{ 7, "IPV6_CHECKSUM" }, { 16, "IPV6_UNICAST_HOPS" },
	{ 17, "IPV6_MULTICAST_IF" }, { 18, "IPV6_MULTICAST_HOPS" },
	{ 19, "IPV6_MULTICAST_LOOP" }, { 20, "IPV6_ADD_MEMBERSHIP" },
	{ 21, "IPV6_DROP_MEMBERSHIP" }, { 23, "IPV6_MTU_DISCOVER" },
	{ 24, "IPV6_MTU" },	{ 25, "IPV6_RECVERR" }, { 26, "IPV6_V6ONLY" },
	{ 49, "IPV6_RECVPKTINFO" }, { 50, "IPV6_PKTINFO" },
	{ 51, "IPV6_RECVHOPLIMIT" }, { 52, "IPV6_HOPLIMIT" },
	{ 62, "IPV6_DONTFRAG" }, { 66, "IPV6_RECVTCLASS" }, { 67, "IPV6_TCLASS" },
	XEND
};
static const struct xlat netlink_options[] = {
	{ 1, "NETLINK_ADD_MEMBERSHIP" }, { 2, "NETLINK_DROP_MEMBERSHIP" },
	{ 3, "NETLINK_PKTINFO" },	 { 4, "NETLINK_BROADCAST_ERROR" },
	{ 5, "NETLINK_NO_ENOBUFS" },	 { 6, "NETLINK_RX_RING" },
	{ 7, "NETLINK_TX_RING" },	 { 8, "NETLINK_LISTEN_ALL_NSID" },
	{ 9, "NETLINK_LIST_MEMBERSHIPS" }, { 10, "NETLINK_CAP_ACK" },
	{ 11, "NETLINK_EXT_ACK" },	 { 12, "NETLINK_GET_STRICT_CHK" }, XEND
};
static const struct xlat scm_types[] = {
	{ 1, "SCM_RIGHTS" }, { 2, "SCM_CREDENTIALS" }, { 3, "SCM_SECURITY" },
	XEND
};

/* socket(family, type, protocol) */
static void d_socket(struct ctx *x)
{
	unsigned fam = A(0), type = A(1), proto = A(2);
	struct line *l = x->l;

	put_family(l, fam);
	sep(x);
	if (xlookup(sock_types, type & 0xf)) {
		put(l, xlookup(sock_types, type & 0xf));
		type &= ~0xfu;
		if (type)
			put_c(l, '|');
	}
	if (type)
		put_flags(l, type, sock_flags, "SOCK_???");
	sep(x);
	{
		switch (fam) {
		case AF_INET:
		case AF_INET6:
			put_xval(l, proto, ip_protocols, "IPPROTO_???");
			break;
		case AF_NETLINK:
			put_xval(l, proto, netlink_protocols, "NETLINK_???");
			break;
		case AF_PACKET:
			put(l, "htons(");
			put_xval(l, ntohs(proto), eth_protocols, "ETH_P_???");
			put_c(l, ')');
			break;
		default:
			put_udec(l, proto);
		}
	}
	if (x->c->nr == SYS_socketpair) {
		int sv[2];
		sep(x);
		if (fetch(x, A(3), sv, sizeof sv, OUT)) {
			put_c(l, '[');
			put_dec(l, sv[0]);
			put(l, ", ");
			put_dec(l, sv[1]);
			put_c(l, ']');
		}
	}
}

/* bind, connect (fd, addr, len) */
static void d_bind(struct ctx *x)
{
	put_dec(x->l, (int)A(0));
	sep(x);
	put_sockaddr(x, A(1), (int)A(2), IN);
	sep(x);
	put_dec(x->l, (int)A(2));
}

/* An address and its length, the length as it was and as it became:
 * "{sa_family=AF_UNIX}, [128 => 2]".  slot: where the hook saved it. */
static void put_addr_len(struct ctx *x, unsigned long addr,
			 unsigned long lenp, int slot)
{
	int before, after;

	if (!addr || !lenp || !x->in) {
		put_ptr(x->l, addr);
		sep(x);
		put_ptr(x->l, lenp);
		return;
	}
	memcpy(&before, x->in + 4 * slot, sizeof before);
	if (x->failed || peek(&after, lenp, sizeof after, 1) != sizeof after) {
		put_ptr(x->l, addr);
		sep(x);
		put_c(x->l, '[');
		put_dec(x->l, before);
		put_c(x->l, ']');
		return;
	}
	put_sockaddr(x, addr, before > after ? after : before, OUT);
	sep(x);
	put_c(x->l, '[');
	if (before != after) {
		put_dec(x->l, before);
		put(x->l, " => ");
	}
	put_dec(x->l, after);
	put_c(x->l, ']');
}

/* getsockname, getpeername, accept (fd, addr, lenp), accept4 (+ flags) */
static void d_sockname(struct ctx *x)
{
	put_dec(x->l, (int)A(0));
	sep(x);
	put_addr_len(x, A(1), A(2), 0);
	if (x->c->nr == SYS_accept4) {
		sep(x);
		put_flags(x->l, (unsigned)A(3), sock_flags, "SOCK_???");
	}
}

/* sendto(fd, buf, len, flags, addr, addrlen) */
static void d_sendto(struct ctx *x)
{
	put_dec(x->l, (int)A(0));
	sep(x);
	put_buf(x->l, A(1), A(2), 0);
	sep(x);
	put_udec(x->l, A(2));
	sep(x);
	put_flags(x->l, (unsigned)A(3), msg_flags, "MSG_???");
	sep(x);
	put_sockaddr(x, A(4), (int)A(5), IN);
	sep(x);
	put_dec(x->l, (int)A(5));
}

/* recvfrom(fd, buf, len, flags, addr, lenp) */
static void d_recvfrom(struct ctx *x)
{
	put_dec(x->l, (int)A(0));
	sep(x);
	if (x->failed)
		put_ptr(x->l, A(1));
	else
		put_buf(x->l, A(1), x->res, 1);
	sep(x);
	put_udec(x->l, A(2));
	sep(x);
	put_flags(x->l, (unsigned)A(3), msg_flags, "MSG_???");
	sep(x);
	put_addr_len(x, A(4), A(5), 0);
}

static void put_cmsgs(struct line *l, const unsigned char *b, size_t len,
		      unsigned long addr)
{
	size_t off = 0, head = sizeof(struct cmsghdr);

	put_c(l, '[');
	while (len - off >= head) {
		const struct cmsghdr *h = (const void *)(b + off);
		size_t n = h->cmsg_len > len - off ? len - off : h->cmsg_len;
		size_t data = n > head ? n - head : 0;

		if (off)
			put(l, ", ");
		put(l, "{cmsg_len=");
		put_udec(l, h->cmsg_len);
		put(l, ", cmsg_level=");
		put_xval(l, (unsigned)h->cmsg_level, sol_levels, "SOL_???");
		put(l, ", cmsg_type=");
		if (h->cmsg_level == SOL_SOCKET) {
			put_xval(l, (unsigned)h->cmsg_type, scm_types, "SCM_???");
			if (h->cmsg_type == SCM_RIGHTS && data >= 4) {
				put(l, ", cmsg_data=[");
				for (size_t i = 0; i < data / 4; i++) {
					int fd;
					memcpy(&fd, b + off + head + 4 * i, 4);
					if (i)
						put(l, ", ");
					put_dec(l, fd);
				}
				put_c(l, ']');
			} else if (h->cmsg_type == SCM_CREDENTIALS && data >= 12) {
				unsigned c[3];
				memcpy(c, b + off + head, 12);
				put(l, ", cmsg_data={pid=");
				put_dec(l, (int)c[0]);
				put(l, ", uid=");
				put_udec(l, c[1]);
				put(l, ", gid=");
				put_udec(l, c[2]);
				put_c(l, '}');
			}
		} else if (h->cmsg_level == SOL_IP) {
			put_xval(l, (unsigned)h->cmsg_type, ip_options, "IP_???");
		} else {
			put_hex(l, (unsigned)h->cmsg_type);
		}
		put_c(l, '}');
		if (n < head) {
			off += head;
			break;
		}
		n = (h->cmsg_len + 7) & ~7UL;
		if (n >= len - off) {
			off = len;
			break;
		}
		off += n;
	}
	if (off < len) {	/* "... / * address of the rest * /" */
		put(l, ", ... /* ");
		put_hex(l, addr + off);
		put(l, " */");
	}
	put_c(l, ']');
}

/* A struct msghdr; namelen0: msg_namelen before the call (recvmsg), or
 * -1; data: bytes the call moved (the iov shows that many), or -1. */
static void put_msghdr(struct ctx *x, const struct msghdr *m, int namelen0,
		       long data)
{
	struct line *l = x->l;
	int namelen = namelen0 >= 0 && (int)m->msg_namelen > namelen0
		      ? namelen0 : (int)m->msg_namelen;
	unsigned char cb[1024];

	put(l, "{msg_name=");
	put_sockaddr(x, (unsigned long)m->msg_name, namelen, IN);
	put(l, ", msg_namelen=");
	if (namelen0 >= 0 && namelen0 != (int)m->msg_namelen) {
		put_dec(l, namelen0);
		put(l, " => ");
	}
	put_dec(l, (int)m->msg_namelen);
	put(l, ", msg_iov=");
	put_iovec(x, (unsigned long)m->msg_iov, m->msg_iovlen,
		  data < 0 ? 0x7fffffff : data, IN);
	put(l, ", msg_iovlen=");
	put_udec(l, m->msg_iovlen);
	if (m->msg_controllen) {
		size_t n = m->msg_controllen < sizeof cb ? m->msg_controllen
							  : sizeof cb;
		put(l, ", msg_control=");
		if (n < sizeof(struct cmsghdr)
		    || peek(cb, (unsigned long)m->msg_control, n, 0) != n)
			put_ptr(l, (unsigned long)m->msg_control);
		else
			put_cmsgs(l, cb, n, (unsigned long)m->msg_control);
	}
	put(l, ", msg_controllen=");
	put_udec(l, m->msg_controllen);
	put(l, ", msg_flags=");
	put_flags(l, (unsigned)m->msg_flags, msg_flags, "MSG_???");
	put_c(l, '}');
}

/* sendmsg(fd, msg, flags), recvmsg(fd, msg, flags) */
static void d_msg(struct ctx *x)
{
	struct msghdr m;
	int recv = x->c->nr == SYS_recvmsg;

	put_dec(x->l, (int)A(0));
	sep(x);
	if (recv && x->failed) {
		if (x->in) {
			put(x->l, "{msg_namelen=");
			put_dec(x->l, *(const int *)x->in);
			put_c(x->l, '}');
		} else {
			put_ptr(x->l, A(1));
		}
	} else if (peek(&m, A(1), sizeof m, 0) == sizeof m) {
		int before = -1;
		if (recv && x->in)
			memcpy(&before, x->in, sizeof before);
		put_msghdr(x, &m, before, recv ? x->res : -1);
	} else {
		put_ptr(x->l, A(1));
	}
	sep(x);
	put_flags(x->l, (unsigned)A(2), msg_flags, "MSG_???");
}

/* sendmmsg(fd, vec, vlen, flags), recvmmsg(fd, vec, vlen, flags,
 * timeout): the messages, with msg_len for those the call handled. */
static void d_mmsg(struct ctx *x)
{
	struct mmsghdr m;
	int recv = x->c->nr == SYS_recvmmsg;
	unsigned long vlen = (unsigned)A(2);
	unsigned long done = x->failed ? 0 : (unsigned long)x->res;
	unsigned long n = recv ? done : vlen;
	struct line *l = x->l;

	put_dec(l, (int)A(0));
	sep(x);
	if (!A(1) || (recv && x->failed)
	    || peek(&m, A(1), sizeof m, 0) != sizeof m) {
		put_ptr(l, A(1));
	} else {
		put_c(l, '[');
		for (unsigned long i = 0; i < n; i++) {
			if (i)
				put(l, ", ");
			if (i == STR_MAX) {
				put(l, "...");
				break;
			}
			if (peek(&m, A(1) + i * sizeof m, sizeof m, 0) != sizeof m)
				break;
			put(l, "{msg_hdr=");
			put_msghdr(x, &m.msg_hdr, -1, recv ? (long)m.msg_len : -1);
			if (i < done) {
				put(l, ", msg_len=");
				put_udec(l, m.msg_len);
			}
			put_c(l, '}');
		}
		put_c(l, ']');
	}
	sep(x);
	put_udec(l, vlen);
	sep(x);
	put_flags(l, (unsigned)A(3), msg_flags, "MSG_???");
	if (!recv)
		return;
	sep(x);
	put_timespec_at(x, A(4), IN);
	if (!x->failed && x->res == 0)
		set_aux(x, "Timeout");
}

static void put_optname(struct line *l, unsigned level, unsigned name,
			int get)
{
	switch (level) {
	case SOL_SOCKET:
		if (name == 26)
			put(l, get ? "SO_GET_FILTER" : "SO_ATTACH_FILTER");
		else
			put_xval(l, name, so_options, "SO_???");
		return;
	case SOL_IP: put_xval(l, name, ip_options, "IP_???"); return;
	case IPPROTO_TCP: put_xval(l, name, tcp_options, "TCP_???"); return;
	case IPPROTO_IPV6: put_xval(l, name, ipv6_options, "IPV6_???"); return;
	case 270: put_xval(l, name, netlink_options, "NETLINK_???"); return;
	}
	put_udec(l, name);
}

/* setsockopt(fd, level, name, val, len) */
static void d_setsockopt(struct ctx *x)
{
	unsigned level = A(1), name = A(2);
	int len = A(4);
	struct line *l = x->l;

	put_dec(l, (int)A(0));
	sep(x);
	put_xval(l, level, sol_levels, "SOL_??");
	sep(x);
	put_optname(l, level, name, 0);
	sep(x);
	if (level == SOL_SOCKET && name == SO_LINGER) {
		struct linger lg;
		if (len < (int)sizeof lg)
			put_ptr(l, A(3));
		else if (fetch(x, A(3), &lg, sizeof lg, IN)) {
			put(l, "{l_onoff=");
			put_dec(l, lg.l_onoff);
			put(l, ", l_linger=");
			put_dec(l, lg.l_linger);
			put_c(l, '}');
		}
	} else if (level == 270) {	/* SOL_NETLINK: an int */
		if (len < (int)sizeof(int))
			put_ptr(l, A(3));
		else
			put_int_at(x, A(3), IN);
	} else if (len == sizeof(int)) {
		put_int_at(x, A(3), IN);
	} else {
		put_buf(l, A(3), len < 0 ? 0 : len, 0);
	}
	sep(x);
	put_dec(l, len);
}

/* getsockopt(fd, level, name, val, lenp) */
static void d_getsockopt(struct ctx *x)
{
	unsigned level = A(1), name = A(2);
	struct line *l = x->l;
	int before, after;

	put_dec(l, (int)A(0));
	sep(x);
	put_xval(l, level, sol_levels, "SOL_??");
	sep(x);
	put_optname(l, level, name, 1);
	sep(x);
	if (!A(4) || !x->in) {
		put_ptr(l, A(3));
		sep(x);
		put_ptr(l, A(4));
		return;
	}
	memcpy(&before, x->in, sizeof before);
	if (x->failed || peek(&after, A(4), sizeof after, 1) != sizeof after) {
		put_ptr(l, A(3));
		sep(x);
		put_c(l, '[');
		put_dec(l, before);
		put_c(l, ']');
		return;
	}
	if (before <= 0 || after <= 0) {
		put_ptr(l, A(3));
	} else if (level == SOL_SOCKET && name == SO_PEERCRED) {
		unsigned c[3] = { 0 };
		size_t n = after > 12 ? 12 : after;
		if (fetch(x, A(3), c, n, OUT)) {
			put(l, "{pid=");
			put_dec(l, (int)c[0]);
			if (n >= 8) {
				put(l, ", uid=");
				put_udec(l, c[1]);
			}
			if (n >= 12) {
				put(l, ", gid=");
				put_udec(l, c[2]);
			}
			put_c(l, '}');
		}
	} else if (level == SOL_SOCKET && name == SO_ERROR && after >= 4) {
		int e;
		if (fetch(x, A(3), &e, sizeof e, OUT)) {
			const char *s = e ? strerrorname_np(e) : NULL;
			put_c(l, '[');
			if (s)
				put(l, s);
			else
				put_dec(l, e);
			put_c(l, ']');
		}
	} else if (after >= 4 && (level == SOL_SOCKET || after == 4)) {
		put_int_at(x, A(3), OUT);
	} else {
		put_buf(l, A(3), after, 1);
	}
	sep(x);
	put_c(l, '[');
	if (before != after) {
		put_dec(l, before);
		put(l, " => ");
	}
	put_dec(l, after);
	put_c(l, ']');
}

static void d_shutdown(struct ctx *x)
{
	put_dec(x->l, (int)A(0));
	sep(x);
	put_xval(x->l, (unsigned)A(1), shutdown_modes, "SHUT_???");
}

/* ---- poll, select -------------------------------------------------------------- */

static const struct xlat poll_flags[] = {
	{ 0x1, "POLLIN" },	{ 0x2, "POLLPRI" },	{ 0x4, "POLLOUT" },
	{ 0x8, "POLLERR" },	{ 0x10, "POLLHUP" },	{ 0x20, "POLLNVAL" },
	{ 0x40, "POLLRDNORM" }, { 0x80, "POLLRDBAND" }, { 0x100, "POLLWRNORM" },
	{ 0x200, "POLLWRBAND" }, { 0x400, "POLLMSG" },	{ 0x1000, "POLLREMOVE" },
	{ 0x2000, "POLLRDHUP" }, XEND
};

static void elem_pollfd(struct line *l, const void *e)
{
	const struct pollfd *p = e;
	put(l, "{fd=");
	put_dec(l, p->fd);
	if (p->fd >= 0) {
		put(l, ", events=");
		put_flags(l, (unsigned short)p->events, poll_flags, "POLL???");
	}
	put_c(l, '}');
}

/* poll(fds, n, timeout), ppoll(fds, n, tmo, sigmask, size); the result
 * with the descriptors that became ready. */
static void d_poll(struct ctx *x)
{
	unsigned long addr = A(0);
	unsigned n = A(1);
	struct pollfd p;
	struct line *l = x->l, aux;
	unsigned shown = 0;

	put_array(x, addr, n, sizeof p, IN, elem_pollfd);
	sep(x);
	put_udec(l, n);
	sep(x);
	if (x->c->nr == SYS_poll) {
		put_dec(l, (int)A(2));
	} else {
		struct timespec ts;
		if (!A(2))
			put(l, "NULL");
		else if (x->in) {
			memcpy(&ts, x->in, sizeof ts);
			put_timespec(l, ts.tv_sec, ts.tv_nsec);
		} else
			put_timespec_at(x, A(2), IN);
		sep(x);
		put_sigset_at(x, A(3), A(4), IN);
		sep(x);
		put_udec(l, A(4));
	}
	if (x->failed)
		return;
	if (x->res == 0) {
		set_aux(x, "Timeout");
		return;
	}
	aux.len = 0;
	for (unsigned i = 0; addr && i < n; i++) {
		if (peek(&p, addr + i * sizeof p, sizeof p, 1) != sizeof p)
			break;
		if (!p.revents)
			continue;
		put(&aux, aux.len ? ", " : "[");
		if (shown++ >= STR_MAX) {
			put(&aux, "...");
			break;
		}
		put(&aux, "{fd=");
		put_dec(&aux, p.fd);
		put(&aux, ", revents=");
		put_flags(&aux, (unsigned short)p.revents, poll_flags, NULL);
		put_c(&aux, '}');
	}
	if (aux.len)
		put_c(&aux, ']');
	if (x->c->nr == SYS_ppoll && A(2)) {
		struct timespec ts;
		if (peek(&ts, A(2), sizeof ts, 1) == sizeof ts) {
			put(&aux, aux.len ? ", left " : "left ");
			put_timespec(&aux, ts.tv_sec, ts.tv_nsec);
		}
	}
	if (aux.len)
		put_aux_line(x, &aux);
}

#define SEL_BYTES 16		/* fd_set bytes saved per set: 128 descriptors */

/* select(n, in, out, except, tv), pselect6(n, in, out, except, ts, sig) */
static void d_select(struct ctx *x)
{
	int nfds = (int)A(0) < 0 ? 0 : (int)A(0);
	size_t size = ((nfds + 7) / 8 + 7) & ~7UL;
	unsigned char set[SEL_BYTES];
	struct line *l = x->l, aux;
	int pselect = x->c->nr == SYS_pselect6;
	const char *sepa = "";
	long ready = x->res;

	put_dec(l, (int)A(0));
	for (int i = 0; i < 3; i++) {
		unsigned long addr = A(i + 1);
		int first = 1;
		sep(x);
		if (!size || size > SEL_BYTES || !addr || !x->in) {
			put_ptr(l, addr);
			continue;
		}
		memcpy(set, x->in + SEL_BYTES * i, size);
		put_c(l, '[');
		for (int fd = 0; fd < nfds; fd++) {
			if (!(set[fd / 8] >> (fd % 8) & 1))
				continue;
			if (!first)
				put_c(l, ' ');
			first = 0;
			put_dec(l, fd);
		}
		put_c(l, ']');
	}
	sep(x);
	if (!A(4)) {
		put(l, "NULL");
	} else if (x->in) {
		long t[2];
		memcpy(t, x->in + 3 * SEL_BYTES, sizeof t);
		if (pselect) {
			put_timespec(l, t[0], t[1]);
		} else {
			put(l, "{tv_sec=");
			put_dec(l, t[0]);
			put(l, ", tv_usec=");
			put_dec(l, t[1]);
			put_c(l, '}');
		}
	} else {
		put_ptr(l, A(4));
	}
	if (pselect) {
		unsigned long sas[2];
		sep(x);
		if (fetch(x, A(5), sas, sizeof sas, IN)) {
			put(l, "{sigmask=");
			put_sigset_at(x, sas[0], sas[1], IN);
			put(l, ", sigsetsize=");
			put_udec(l, sas[1]);
			put_c(l, '}');
		}
	}
	if (x->failed)
		return;
	if (ready == 0) {
		set_aux(x, "Timeout");
		return;
	}
	aux.len = 0;
	for (int i = 0; i < 3 && ready > 0; i++) {
		unsigned long addr = A(i + 1);
		int first = 1;
		if (!addr || !size || size > SEL_BYTES
		    || peek(set, addr, size, 1) != size)
			continue;
		for (int fd = 0; fd < nfds; fd++) {
			if (!(set[fd / 8] >> (fd % 8) & 1))
				continue;
			if (first) {
				put(&aux, sepa);
				put(&aux, i == 0 ? "in [" : i == 1 ? "out ["
								    : "except [");
				first = 0;
				sepa = ", ";
			} else {
				put_c(&aux, ' ');
			}
			put_dec(&aux, fd);
			if (--ready == 0)
				break;
		}
		if (aux.len)
			put_c(&aux, ']');
	}
	if (A(4)) {
		long t[2];
		if (peek(t, A(4), sizeof t, 1) == sizeof t) {
			put(&aux, sepa);
			put(&aux, "left ");
			if (pselect) {
				put_timespec(&aux, t[0], t[1]);
			} else {
				put(&aux, "{tv_sec=");
				put_dec(&aux, t[0]);
				put(&aux, ", tv_usec=");
				put_dec(&aux, t[1]);
				put_c(&aux, '}');
			}
		}
	}
	put_aux_line(x, &aux);
}

/* ---- epoll ---------------------------------------------------------------------- */

static const struct xlat epoll_events[] = {
	{ 0x1, "EPOLLIN" },	{ 0x2, "EPOLLPRI" },	{ 0x4, "EPOLLOUT" },
	{ 0x8, "EPOLLERR" },	{ 0x10, "EPOLLHUP" },	{ 0x20, "EPOLLNVAL" },
	{ 0x40, "EPOLLRDNORM" }, { 0x80, "EPOLLRDBAND" },
	{ 0x100, "EPOLLWRNORM" }, { 0x200, "EPOLLWRBAND" },
	{ 0x400, "EPOLLMSG" },	{ 0x2000, "EPOLLRDHUP" },
	{ 0x10000000, "EPOLLEXCLUSIVE" }, { 0x20000000, "EPOLLWAKEUP" },
	{ 0x40000000, "EPOLLONESHOT" }, { 0x80000000, "EPOLLET" }, XEND
};
static const struct xlat epoll_ctls[] = {
	{ 1, "EPOLL_CTL_ADD" }, { 2, "EPOLL_CTL_DEL" }, { 3, "EPOLL_CTL_MOD" },
	XEND
};
static const struct xlat epoll_flags[] = { { 02000000, "EPOLL_CLOEXEC" }, XEND };

static void put_epoll_event(struct line *l, const struct epoll_event *e)
{
	put(l, "{events=");
	put_flags(l, e->events, epoll_events, "EPOLL???");
	put(l, ", data={u32=");
	put_udec(l, (unsigned)e->data.u64);
	put(l, ", u64=");
	put_udec(l, e->data.u64);
	put(l, "}}");
}

static void d_epoll_create1(struct ctx *x)
{
	put_flags(x->l, (unsigned)A(0), epoll_flags, "EPOLL_???");
}

/* epoll_ctl(epfd, op, fd, event) */
static void d_epoll_ctl(struct ctx *x)
{
	struct epoll_event e;

	put_dec(x->l, (int)A(0));
	sep(x);
	put_xval(x->l, (unsigned)A(1), epoll_ctls, "EPOLL_CTL_???");
	sep(x);
	put_dec(x->l, (int)A(2));
	sep(x);
	if (A(1) == EPOLL_CTL_DEL)	/* the event is not read */
		put_ptr(x->l, A(3));
	else if (fetch(x, A(3), &e, sizeof e, IN))
		put_epoll_event(x->l, &e);
}

/* epoll_wait(epfd, events, max, timeout), epoll_pwait (+ sigmask, size),
 * epoll_pwait2 (timeout as a timespec) */
static void d_epoll_wait(struct ctx *x)
{
	struct line *l = x->l;
	long nr = x->c->nr;

	put_dec(l, (int)A(0));
	sep(x);
	if (x->failed || !A(1)) {
		put_ptr(l, A(1));
	} else {
		struct epoll_event e;
		put_c(l, '[');
		for (long i = 0; i < x->res; i++) {
			if (i)
				put(l, ", ");
			if (i == STR_MAX) {
				put(l, "...");
				break;
			}
			peek(&e, A(1) + i * sizeof e, sizeof e, 1);
			put_epoll_event(l, &e);
		}
		put_c(l, ']');
	}
	sep(x);
	put_dec(l, (int)A(2));
	sep(x);
	if (nr == SYS_epoll_pwait2)
		put_timespec_at(x, A(3), IN);
	else
		put_dec(l, (int)A(3));
	if (nr == SYS_epoll_wait)
		return;
	sep(x);
	put_sigset_at(x, A(4), A(5), IN);
	sep(x);
	put_udec(l, A(5));
}

/* ---- futex ---------------------------------------------------------------------- */

static const struct xlat futex_ops[] = {
	{ 0, "FUTEX_WAIT" },	  { 1, "FUTEX_WAKE" },	  { 2, "FUTEX_FD" },
	{ 3, "FUTEX_REQUEUE" },	  { 4, "FUTEX_CMP_REQUEUE" },
	{ 5, "FUTEX_WAKE_OP" },	  { 6, "FUTEX_LOCK_PI" },
	{ 7, "FUTEX_UNLOCK_PI" }, { 8, "FUTEX_TRYLOCK_PI" },
	{ 9, "FUTEX_WAIT_BITSET" }, { 10, "FUTEX_WAKE_BITSET" },
	{ 11, "FUTEX_WAIT_REQUEUE_PI" }, { 12, "FUTEX_CMP_REQUEUE_PI" },
	{ 13, "FUTEX_LOCK_PI2" },
	{ 128, "FUTEX_WAIT_PRIVATE" }, { 129, "FUTEX_WAKE_PRIVATE" },
	{ 130, "FUTEX_FD|FUTEX_PRIVATE_FLAG" },
	{ 131, "FUTEX_REQUEUE_PRIVATE" }, { 132, "FUTEX_CMP_REQUEUE_PRIVATE" },
	{ 133, "FUTEX_WAKE_OP_PRIVATE" }, { 134, "FUTEX_LOCK_PI_PRIVATE" },
	{ 135, "FUTEX_UNLOCK_PI_PRIVATE" }, { 136, "FUTEX_TRYLOCK_PI_PRIVATE" },
	{ 137, "FUTEX_WAIT_BITSET_PRIVATE" },
	{ 138, "FUTEX_WAKE_BITSET_PRIVATE" },
	{ 139, "FUTEX_WAIT_REQUEUE_PI_PRIVATE" },
	{ 140, "FUTEX_CMP_REQUEUE_PI_PRIVATE" },
	{ 141, "FUTEX_LOCK_PI2_PRIVATE" },
	{ 256, "FUTEX_WAIT|FUTEX_CLOCK_REALTIME" },
	{ 384, "FUTEX_WAIT_PRIVATE|FUTEX_CLOCK_REALTIME" },
	{ 265, "FUTEX_WAIT_BITSET|FUTEX_CLOCK_REALTIME" },
	{ 393, "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME" },
	{ 267, "FUTEX_WAIT_REQUEUE_PI|FUTEX_CLOCK_REALTIME" },
	{ 395, "FUTEX_WAIT_REQUEUE_PI_PRIVATE|FUTEX_CLOCK_REALTIME" },
	XEND
};
static const struct xlat futex_wake_ops[] = {
	{ 0, "FUTEX_OP_SET" }, { 1, "FUTEX_OP_ADD" }, { 2, "FUTEX_OP_OR" },
	{ 3, "FUTEX_OP_ANDN" }, { 4, "FUTEX_OP_XOR" }, XEND
};
static const struct xlat futex_wake_cmps[] = {
	{ 0, "FUTEX_OP_CMP_EQ" }, { 1, "FUTEX_OP_CMP_NE" },
	{ 2, "FUTEX_OP_CMP_LT" }, { 3, "FUTEX_OP_CMP_LE" },
	{ 4, "FUTEX_OP_CMP_GT" }, { 5, "FUTEX_OP_CMP_GE" }, XEND
};

/* FUTEX_WAKE_OP's encoded operation: "FUTEX_OP_ADD<<28|0x1<<12|..." */
static void put_wake_op(struct line *l, unsigned v)
{
	const char *s;

	if ((v >> 28) & 8)
		put(l, "FUTEX_OP_OPARG_SHIFT<<28|");
	s = xlookup(futex_wake_ops, (v >> 28) & 7);
	if (s)
		put(l, s);
	else
		put_hex(l, (v >> 28) & 7);
	put(l, "<<28");
	if (!s)
		put_comment(l, "FUTEX_OP_???");
	put_c(l, '|');
	put_hex(l, (v >> 12) & 0xfff);
	put(l, "<<12|");
	s = xlookup(futex_wake_cmps, (v >> 24) & 0xf);
	if (s)
		put(l, s);
	else
		put_hex(l, (v >> 24) & 0xf);
	put(l, "<<24");
	if (!s)
		put_comment(l, "FUTEX_OP_CMP_???");
	put_c(l, '|');
	put_hex(l, v & 0xfff);
}

/* futex(uaddr, op, val, timeout|val2, uaddr2, val3): the arguments the
 * operation uses. */
static void d_futex(struct ctx *x)
{
	int op = A(1), cmd = op & 127;
	unsigned val = A(2), val2 = A(3), val3 = A(5);
	struct line *l = x->l;

	put_ptr(l, A(0));
	sep(x);
	put_xval(l, (unsigned)op, futex_ops, "FUTEX_???");
	switch (cmd) {
	case 0: case 9: case 11:	/* WAIT, WAIT_BITSET, WAIT_REQUEUE_PI */
		sep(x);
		put_udec(l, val);
		sep(x);
		put_timespec_at(x, A(3), IN);
		if (cmd == 9) {
			sep(x);
			if (val3 == 0xffffffff)
				put(l, "FUTEX_BITSET_MATCH_ANY");
			else
				put_hex(l, val3);
		} else if (cmd == 11) {
			sep(x);
			put_ptr(l, A(4));
		}
		return;
	case 6: case 13:		/* LOCK_PI, LOCK_PI2 */
		sep(x);
		put_timespec_at(x, A(3), IN);
		return;
	case 10:			/* WAKE_BITSET */
		sep(x);
		put_udec(l, val);
		sep(x);
		if (val3 == 0xffffffff)
			put(l, "FUTEX_BITSET_MATCH_ANY");
		else
			put_hex(l, val3);
		return;
	case 3: case 4: case 12: case 5: /* REQUEUE, CMP_REQUEUE(_PI), WAKE_OP */
		sep(x);
		put_udec(l, val);
		sep(x);
		put_udec(l, val2);
		sep(x);
		put_ptr(l, A(4));
		if (cmd == 3)
			return;
		sep(x);
		if (cmd == 5)
			put_wake_op(l, val3);
		else
			put_udec(l, val3);
		return;
	case 1: case 2:			/* WAKE, FD */
		sep(x);
		put_udec(l, val);
		return;
	case 7: case 8:			/* UNLOCK_PI, TRYLOCK_PI */
		return;
	}
	sep(x);
	put_udec(l, val);
	sep(x);
	put_ptr(l, A(3));
	sep(x);
	put_ptr(l, A(4));
	sep(x);
	put_hex(l, val3);
}

/* ---- io_uring ------------------------------------------------------------------------- */

static const struct xlat uring_setup_flags[] = {
	{ 1, "IORING_SETUP_IOPOLL" },	  { 2, "IORING_SETUP_SQPOLL" },
	{ 4, "IORING_SETUP_SQ_AFF" },	  { 8, "IORING_SETUP_CQSIZE" },
	{ 16, "IORING_SETUP_CLAMP" },	  { 32, "IORING_SETUP_ATTACH_WQ" },
	{ 64, "IORING_SETUP_R_DISABLED" }, { 128, "IORING_SETUP_SUBMIT_ALL" },
	{ 256, "IORING_SETUP_COOP_TASKRUN" },
	{ 512, "IORING_SETUP_TASKRUN_FLAG" },
	{ 1024, "IORING_SETUP_SQE128" },  { 2048, "IORING_SETUP_CQE32" }, XEND
};
static const struct xlat uring_features[] = {
	{ 1, "IORING_FEAT_SINGLE_MMAP" },  { 2, "IORING_FEAT_NODROP" },
	{ 4, "IORING_FEAT_SUBMIT_STABLE" }, { 8, "IORING_FEAT_RW_CUR_POS" },
	{ 16, "IORING_FEAT_CUR_PERSONALITY" }, { 32, "IORING_FEAT_FAST_POLL" },
	{ 64, "IORING_FEAT_POLL_32BITS" }, { 128, "IORING_FEAT_SQPOLL_NONFIXED" },
	{ 256, "IORING_FEAT_EXT_ARG" },	   { 512, "IORING_FEAT_NATIVE_WORKERS" },
	{ 1024, "IORING_FEAT_RSRC_TAGS" }, { 2048, "IORING_FEAT_CQE_SKIP" },
	{ 4096, "IORING_FEAT_LINKED_FILE" }, XEND
};
static const struct xlat uring_enter_flags[] = {
	{ 1, "IORING_ENTER_GETEVENTS" }, { 2, "IORING_ENTER_SQ_WAKEUP" },
	{ 4, "IORING_ENTER_SQ_WAIT" },	 { 8, "IORING_ENTER_EXT_ARG" },
	{ 16, "IORING_ENTER_REGISTERED_RING" }, XEND
};
static const char *const uring_register_ops[] = {
	"IORING_REGISTER_BUFFERS", "IORING_UNREGISTER_BUFFERS",
	"IORING_REGISTER_FILES", "IORING_UNREGISTER_FILES",
	"IORING_REGISTER_EVENTFD", "IORING_UNREGISTER_EVENTFD",
	"IORING_REGISTER_FILES_UPDATE", "IORING_REGISTER_EVENTFD_ASYNC",
	"IORING_REGISTER_PROBE", "IORING_REGISTER_PERSONALITY",
	"IORING_UNREGISTER_PERSONALITY", "IORING_REGISTER_RESTRICTIONS",
	"IORING_REGISTER_ENABLE_RINGS", "IORING_REGISTER_FILES2",
	"IORING_REGISTER_FILES_UPDATE2", "IORING_REGISTER_BUFFERS2",
	"IORING_REGISTER_BUFFERS_UPDATE", "IORING_REGISTER_IOWQ_AFF",
	"IORING_UNREGISTER_IOWQ_AFF", "IORING_REGISTER_IOWQ_MAX_WORKERS",
	"IORING_REGISTER_RING_FDS", "IORING_UNREGISTER_RING_FDS",
	"IORING_REGISTER_PBUF_RING", "IORING_UNREGISTER_PBUF_RING",
};

static void put_u32_field(struct line *l, const char *name, unsigned v)
{
	put(l, name);
	put_udec(l, v);
}

/* io_uring_setup(entries, params): what was asked, then what was set up */
static void d_io_uring_setup(struct ctx *x)
{
	struct io_uring_params p;
	struct line *l = x->l;

	put_udec(l, (unsigned)A(0));
	sep(x);
	if (!fetch(x, A(1), &p, sizeof p, IN))
		return;
	put(l, "{flags=");
	put_flags(l, p.flags, uring_setup_flags, "IORING_SETUP_???");
	put(l, ", sq_thread_cpu=");
	put_hex(l, p.sq_thread_cpu);
	put_u32_field(l, ", sq_thread_idle=", p.sq_thread_idle);
	if (p.flags & IORING_SETUP_ATTACH_WQ)
		put_u32_field(l, ", wq_fd=", p.wq_fd);
	if (!x->failed) {
		put_u32_field(l, ", sq_entries=", p.sq_entries);
		put_u32_field(l, ", cq_entries=", p.cq_entries);
		put(l, ", features=");
		put_flags(l, p.features, uring_features, "IORING_FEAT_???");
		put_u32_field(l, ", sq_off={head=", p.sq_off.head);
		put_u32_field(l, ", tail=", p.sq_off.tail);
		put_u32_field(l, ", ring_mask=", p.sq_off.ring_mask);
		put_u32_field(l, ", ring_entries=", p.sq_off.ring_entries);
		put_u32_field(l, ", flags=", p.sq_off.flags);
		put_u32_field(l, ", dropped=", p.sq_off.dropped);
		put_u32_field(l, ", array=", p.sq_off.array);
		put_u32_field(l, "}, cq_off={head=", p.cq_off.head);
		put_u32_field(l, ", tail=", p.cq_off.tail);
		put_u32_field(l, ", ring_mask=", p.cq_off.ring_mask);
		put_u32_field(l, ", ring_entries=", p.cq_off.ring_entries);
		put_u32_field(l, ", overflow=", p.cq_off.overflow);
		put_u32_field(l, ", cqes=", p.cq_off.cqes);
		put_u32_field(l, ", flags=", p.cq_off.flags);
		put_c(l, '}');
	}
	put_c(l, '}');
}

/* io_uring_enter(fd, to_submit, min_complete, flags, sigset, size) */
static void d_io_uring_enter(struct ctx *x)
{
	put_dec(x->l, (int)A(0));
	sep(x);
	put_udec(x->l, (unsigned)A(1));
	sep(x);
	put_udec(x->l, (unsigned)A(2));
	sep(x);
	put_flags(x->l, (unsigned)A(3), uring_enter_flags, "IORING_ENTER_???");
	sep(x);
	put_sigset_at(x, A(4), A(5), IN);
	sep(x);
	put_udec(x->l, A(5));
}

static void elem_fd(struct line *l, const void *e)
{
	put_dec(l, *(const int *)e);
}

/* io_uring_register(fd, opcode, arg, nr_args) */
static void d_io_uring_register(struct ctx *x)
{
	unsigned op = A(1), n = A(3);
	struct line *l = x->l;

	put_dec(l, (int)A(0));
	sep(x);
	if (op < sizeof uring_register_ops / sizeof *uring_register_ops)
		put(l, uring_register_ops[op]);
	else {
		put_hex(l, op);
		put_comment(l, "IORING_REGISTER_???");
	}
	sep(x);
	switch (op) {
	case IORING_REGISTER_FILES:
	case IORING_REGISTER_EVENTFD:
	case IORING_REGISTER_EVENTFD_ASYNC:
		put_array(x, A(2), n, sizeof(int), IN, elem_fd);
		break;
	default:
		put_ptr(l, A(2));
	}
	sep(x);
	put_udec(l, n);
}

/* ---- prctl, arch_prctl --------------------------------------------------------------- */

static const struct xlat prctl_options[] = {
	{ 1, "PR_SET_PDEATHSIG" },	{ 2, "PR_GET_PDEATHSIG" },
	{ 3, "PR_GET_DUMPABLE" },	{ 4, "PR_SET_DUMPABLE" },
	{ 5, "PR_GET_UNALIGN" },	{ 6, "PR_SET_UNALIGN" },
	{ 7, "PR_GET_KEEPCAPS" },	{ 8, "PR_SET_KEEPCAPS" },
	{ 9, "PR_GET_FPEMU" },		{ 10, "PR_SET_FPEMU" },
	{ 11, "PR_GET_FPEXC" },		{ 12, "PR_SET_FPEXC" },
	{ 13, "PR_GET_TIMING" },	{ 14, "PR_SET_TIMING" },
	{ 15, "PR_SET_NAME" },		{ 16, "PR_GET_NAME" },
	{ 19, "PR_GET_ENDIAN" },	{ 20, "PR_SET_ENDIAN" },
	{ 21, "PR_GET_SECCOMP" },	{ 22, "PR_SET_SECCOMP" },
	{ 23, "PR_CAPBSET_READ" },	{ 24, "PR_CAPBSET_DROP" },
	{ 25, "PR_GET_TSC" },		{ 26, "PR_SET_TSC" },
	{ 27, "PR_GET_SECUREBITS" },	{ 28, "PR_SET_SECUREBITS" },
	{ 29, "PR_SET_TIMERSLACK" },	{ 30, "PR_GET_TIMERSLACK" },
	{ 31, "PR_TASK_PERF_EVENTS_DISABLE" },
	{ 32, "PR_TASK_PERF_EVENTS_ENABLE" },
	{ 33, "PR_MCE_KILL" },		{ 34, "PR_MCE_KILL_GET" },
	{ 35, "PR_SET_MM" },		{ 36, "PR_SET_CHILD_SUBREAPER" },
	{ 37, "PR_GET_CHILD_SUBREAPER" }, { 38, "PR_SET_NO_NEW_PRIVS" },
	{ 39, "PR_GET_NO_NEW_PRIVS" },	{ 40, "PR_GET_TID_ADDRESS" },
	{ 41, "PR_SET_THP_DISABLE" },	{ 42, "PR_GET_THP_DISABLE" },
	{ 43, "PR_MPX_ENABLE_MANAGEMENT" }, { 44, "PR_MPX_DISABLE_MANAGEMENT" },
	{ 45, "PR_SET_FP_MODE" },	{ 46, "PR_GET_FP_MODE" },
	{ 47, "PR_CAP_AMBIENT" },	{ 50, "PR_SVE_SET_VL" },
	{ 51, "PR_SVE_GET_VL" },	{ 52, "PR_GET_SPECULATION_CTRL" },
	{ 53, "PR_SET_SPECULATION_CTRL" }, { 54, "PR_PAC_RESET_KEYS" },
	{ 55, "PR_SET_TAGGED_ADDR_CTRL" }, { 56, "PR_GET_TAGGED_ADDR_CTRL" },
	{ 57, "PR_SET_IO_FLUSHER" },	{ 58, "PR_GET_IO_FLUSHER" },
	{ 59, "PR_SET_SYSCALL_USER_DISPATCH" },
	{ 60, "PR_PAC_SET_ENABLED_KEYS" }, { 61, "PR_PAC_GET_ENABLED_KEYS" },
	{ 62, "PR_SCHED_CORE" },	{ 63, "PR_SME_SET_VL" },
	{ 64, "PR_SME_GET_VL" },	{ 0x53564d41, "PR_SET_VMA" }, XEND
};
static const char *const caps[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
	"CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
	"CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
	"CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
	"CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};
static const struct xlat dumpable[] = {
	{ 0, "SUID_DUMP_DISABLE" }, { 1, "SUID_DUMP_USER" },
	{ 2, "SUID_DUMP_ROOT" }, XEND
};
static const struct xlat cap_ambient[] = {
	{ 1, "PR_CAP_AMBIENT_IS_SET" }, { 2, "PR_CAP_AMBIENT_RAISE" },
	{ 3, "PR_CAP_AMBIENT_LOWER" }, { 4, "PR_CAP_AMBIENT_CLEAR_ALL" }, XEND
};

static void put_cap(struct line *l, unsigned long c)
{
	if (c < sizeof caps / sizeof *caps)
		put(l, caps[c]);
	else {
		put_hex(l, c);
		put_comment(l, "CAP_???");
	}
}

/* prctl's remaining arguments from the first'th, in hex */
static void hex_args(struct ctx *x, int first)
{
	for (int i = first; i < 5; i++) {
		sep(x);
		put_hex(x->l, A(i));
	}
}

/* prctl(option, arg2, arg3, arg4, arg5): the common options decoded */
static void d_prctl(struct ctx *x)
{
	unsigned opt = A(0);
	unsigned long a2 = A(1);
	struct line *l = x->l;
	int ok = !x->failed;

	put_xval(l, opt, prctl_options, "PR_???");
	switch (opt) {
	case PR_GET_KEEPCAPS: case PR_GET_SECCOMP: case PR_GET_TIMERSLACK:
	case PR_GET_TIMING: case PR_TASK_PERF_EVENTS_DISABLE:
	case PR_TASK_PERF_EVENTS_ENABLE:
		return;
	case PR_GET_DUMPABLE:
		if (ok && xlookup(dumpable, x->res))
			set_aux(x, xlookup(dumpable, x->res));
		return;
	case PR_GET_CHILD_SUBREAPER: case PR_GET_ENDIAN: case PR_GET_FPEMU:
	case PR_GET_FPEXC: {
		unsigned v;
		sep(x);
		if (fetch(x, a2, &v, sizeof v, OUT)) {
			put_c(l, '[');
			put_udec(l, v);
			put_c(l, ']');
		}
		return;
	}
	case PR_GET_NAME:
		sep(x);
		if (!ok)
			put_ptr(l, a2);
		else
			put_str(l, a2, 15, 1);
		return;
	case PR_GET_PDEATHSIG: {
		unsigned v;
		sep(x);
		if (fetch(x, a2, &v, sizeof v, OUT)) {
			put_c(l, '[');
			put_signame(l, v);
			put_c(l, ']');
		}
		return;
	}
	case PR_SET_CHILD_SUBREAPER: case PR_SET_ENDIAN: case PR_SET_FPEMU:
	case PR_SET_FPEXC: case PR_SET_KEEPCAPS: case PR_SET_TIMING:
		sep(x);
		put_udec(l, a2);
		return;
	case PR_SET_DUMPABLE:
		sep(x);
		put_xval(l, a2, dumpable, "SUID_DUMP_???");
		return;
	case PR_CAPBSET_DROP: case PR_CAPBSET_READ:
		sep(x);
		put_cap(l, a2);
		return;
	case PR_CAP_AMBIENT:
		sep(x);
		put_xval(l, a2, cap_ambient, "PR_CAP_AMBIENT_???");
		if (a2 >= 1 && a2 <= 3) {
			sep(x);
			put_cap(l, A(2));
			hex_args(x, 3);
		} else {
			hex_args(x, 2);
		}
		return;
	case PR_SET_NAME: {	/* "..." unless a NUL ends the first 15 bytes */
		char name[16];
		size_t n;
		sep(x);
		n = a2 ? peek(name, a2, sizeof name - 1, 0) : 0;
		if (!n) {
			put_ptr(l, a2);
			return;
		}
		name[n] = 0;
		put_bytes(l, (const unsigned char *)name, strlen(name),
			  strlen(name) < n ? 0 : n + 1, 0);
		return;
	}
	case PR_SET_VMA:
		sep(x);
		if (a2 == 0) {
			put(l, "PR_SET_VMA_ANON_NAME");
			sep(x);
			put_ptr(l, A(2));
			sep(x);
			put_udec(l, A(3));
			sep(x);
			put_str(l, A(4), STR_MAX, 0);
		} else {
			put_hex(l, a2);
			put_comment(l, "PR_SET_VMA_???");
			hex_args(x, 2);
		}
		return;
	case PR_SET_PDEATHSIG:
		sep(x);
		if (a2 > 128)
			put_udec(l, a2);
		else
			put_signame(l, a2);
		return;
	case PR_SET_TIMERSLACK:
		sep(x);
		put_dec(l, (long)a2);
		return;
	case PR_SET_NO_NEW_PRIVS: case PR_SET_THP_DISABLE:
	case PR_SET_IO_FLUSHER:
		sep(x);
		put_udec(l, a2);
		hex_args(x, 2);
		return;
	}
	hex_args(x, 1);
}

static const struct xlat arch_options[] = {
	{ 0x1001, "ARCH_SET_GS" }, { 0x1002, "ARCH_SET_FS" },
	{ 0x1003, "ARCH_GET_FS" }, { 0x1004, "ARCH_GET_GS" },
	{ 0x1011, "ARCH_GET_CPUID" }, { 0x1012, "ARCH_SET_CPUID" },
	{ 0x1021, "ARCH_GET_XCOMP_SUPP" }, { 0x1022, "ARCH_GET_XCOMP_PERM" },
	{ 0x1023, "ARCH_REQ_XCOMP_PERM" },
	{ 0x1024, "ARCH_GET_XCOMP_GUEST_PERM" },
	{ 0x1025, "ARCH_REQ_XCOMP_GUEST_PERM" },
	{ 0x2001, "ARCH_MAP_VDSO_X32" }, { 0x2002, "ARCH_MAP_VDSO_32" },
	{ 0x2003, "ARCH_MAP_VDSO_64" }, XEND
};

/* arch_prctl(option, addr) */
static void d_arch_prctl(struct ctx *x)
{
	unsigned opt = A(0);
	unsigned long v;

	put_xval(x->l, opt, arch_options, "ARCH_???");
	if (opt == 0x1011)		/* ARCH_GET_CPUID: no argument */
		return;
	sep(x);
	if (opt == 0x1003 || opt == 0x1004) {
		if (fetch(x, A(1), &v, sizeof v, OUT)) {
			put_c(x->l, '[');
			put_ptr(x->l, v);
			put_c(x->l, ']');
		}
		return;
	}
	put_hex(x->l, A(1));
}

/* ---- the table ---------------------------------------------------------------------- */

decoder_fn *more_decoder(long nr)
{
	switch (nr) {
	case SYS_fcntl: return d_fcntl;
	case SYS_ioctl: return d_ioctl;
	case SYS_socket:
	case SYS_socketpair: return d_socket;
	case SYS_bind:
	case SYS_connect: return d_bind;
	case SYS_getsockname:
	case SYS_getpeername:
	case SYS_accept:
	case SYS_accept4: return d_sockname;
	case SYS_sendto: return d_sendto;
	case SYS_recvfrom: return d_recvfrom;
	case SYS_sendmsg:
	case SYS_recvmsg: return d_msg;
	case SYS_sendmmsg:
	case SYS_recvmmsg: return d_mmsg;
	case SYS_setsockopt: return d_setsockopt;
	case SYS_getsockopt: return d_getsockopt;
	case SYS_shutdown: return d_shutdown;
	case SYS_poll:
	case SYS_ppoll: return d_poll;
	case SYS_select:
	case SYS_pselect6: return d_select;
	case SYS_epoll_create1: return d_epoll_create1;
	case SYS_epoll_ctl: return d_epoll_ctl;
	case SYS_epoll_wait:
	case SYS_epoll_pwait:
	case SYS_epoll_pwait2: return d_epoll_wait;
	case SYS_futex: return d_futex;
	case SYS_io_uring_setup: return d_io_uring_setup;
	case SYS_io_uring_enter: return d_io_uring_enter;
	case SYS_io_uring_register: return d_io_uring_register;
	case SYS_prctl: return d_prctl;
	case SYS_arch_prctl: return d_arch_prctl;
	}
	return sig_decoder(nr);
}

/* ---- what is copied before a call ------------------------------------------------------ */

size_t more_entry_copy(const struct zpoline_call *c, unsigned char *in)
{
	const long *a = c->args;

	switch (c->nr) {
	case SYS_getsockname:
	case SYS_getpeername:
	case SYS_accept:
	case SYS_accept4:
		return a[1] && a[2] && peek(in, a[2], 4, 0) == 4 ? 4 : 0;
	case SYS_recvfrom:
		return a[4] && a[5] && peek(in, a[5], 4, 0) == 4 ? 4 : 0;
	case SYS_getsockopt:
		return a[4] && peek(in, a[4], 4, 0) == 4 ? 4 : 0;
	case SYS_recvmsg:
		/* msg_namelen */
		return a[1] && peek(in, a[1] + 8, 4, 0) == 4 ? 4 : 0;
	case SYS_ppoll:
		return a[2] && peek(in, a[2], 16, 0) == 16 ? 16 : 0;
	case SYS_select:
	case SYS_pselect6: {
		int nfds = (int)a[0] < 0 ? 0 : (int)a[0];
		size_t size = ((nfds + 7) / 8 + 7) & ~7UL;
		if (size > SEL_BYTES)
			return 0;
		memset(in, 0, 3 * SEL_BYTES + 16);
		for (int i = 0; i < 3; i++)
			if (a[i + 1] && size)
				peek(in + SEL_BYTES * i, a[i + 1], size, 0);
		if (a[4])
			peek(in + 3 * SEL_BYTES, a[4], 16, 0);
		return 3 * SEL_BYTES + 16;
	}
	}
	return 0;
}

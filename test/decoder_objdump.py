#!/usr/bin/env python3
"""decoder_objdump.py - differential test of zp_insn_len against GNU objdump.

For each ELF file given, compares every instruction boundary of its
executable sections, as `zpscan --all` sweeps them, with objdump -d's, and
the syscall/sysenter sites `zpscan` reports with objdump's syscall and
sysenter instructions.  Exit status 1 on any disagreement.

  decoder_objdump.py [--sites-equal] ZPSCAN FILE...

The sites are checked twice: as zpscan reports them (decoded from FDE
starts, as the runtime does) and with --no-eh (the guarded linear sweep
used for objects without .eh_frame_hdr).  --sites-equal: the sites must
be exactly objdump's syscall/sysenter instructions (libc, ld.so);
otherwise they must be a subset of them, none near a stretch objdump
cannot decode (data).

Normalisations, each one a way objdump prints the same instruction stream
differently from "one instruction, one line":
  - -M intel64: near branches with 66 keep rel32, as on Intel CPUs;
  - --insn-width=15: an instruction's bytes on one line;
  - -z: zero bytes are disassembled, not elided as "...";
  - fwait (9b) followed by an x87 instruction is printed as one fused
    instruction (9b db e3 "finit"), and before a REX as if it were a
    prefix: 9b is always an instruction of its own;
  - a prefix objdump cannot attach (a REX before a legacy prefix, a
    repeated segment, ...) is printed alone on a line ("rex.W", "ds"):
    joined to the instruction after it;
  - "(bad)": objdump's sweep gives up on a stretch it cannot decode (data
    inside .text); the stretch is skipped up to the next boundary both
    sweeps share, and counted.  So are ".byte" lines (objdump restarts
    at each symbol and prints an instruction that would run over it as
    bytes) and a 66/F2/F3/F0/REX prefix before VEX/EVEX/XOP, which objdump
    decodes and the CPU rejects (#UD).
"""
import re
import subprocess
import sys

LINE = re.compile(r'^\s*([0-9a-f]+):\t((?:[0-9a-f]{2} )+)\s*\t?(.*)$')
SECTION = re.compile(r'^Disassembly of section (\S+):')
PREFIXES = {'rex', 'data16', 'data32', 'addr32', 'lock', 'repz', 'repnz',
            'rep', 'repe', 'repne', 'cs', 'ds', 'es', 'fs', 'gs', 'ss',
            'notrack', 'bnd', 'xacquire', 'xrelease'}
LEGACY = {0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3}
BAD_NEAR = 256  # a site this close to a "(bad)" would be a guess


def is_prefix_line(text):
    words = text.split()
    return bool(words) and all(w.split('.')[0] in PREFIXES for w in words)


def prefix_before_vex(nbytes):
    """True for 66/F2/F3/F0/REX before a VEX, EVEX or XOP prefix: objdump
    decodes it, the CPU raises #UD (SDM 2.3.2, APM 1.8)."""
    b = [int(x, 16) for x in nbytes]
    k, rejected = 0, False
    while k < len(b) - 1 and (b[k] in LEGACY or 0x40 <= b[k] <= 0x4f):
        rejected |= b[k] in (0x66, 0xf2, 0xf3, 0xf0) or 0x40 <= b[k] <= 0x4f
        k += 1
    vex = b[k] in (0xc4, 0xc5, 0x62) or (
        b[k] == 0x8f and k + 1 < len(b) and (b[k + 1] & 0x1f) >= 8)
    return rejected and vex


def sections(path):
    """name -> (vma, file offset), for the sections objdump disassembles."""
    out = subprocess.run(['objdump', '-h', '-w', path], check=True,
                         capture_output=True, text=True).stdout
    r = {}
    for l in out.splitlines():
        f = l.split()
        if len(f) >= 7 and f[0].isdigit():
            r[f[1]] = (int(f[3], 16), int(f[5], 16))
    return r


def objdump(path):
    """[(file offset, length, text)] of objdump -d, normalised, and the
    offsets of its syscall/sysenter instructions."""
    secs = sections(path)
    out = subprocess.run(['objdump', '-d', '-z', '-M', 'intel64',
                          '--insn-width=15', path], check=True,
                         capture_output=True, text=True).stdout
    insns, sys_sites, delta = [], [], 0
    pending = None  # a stray prefix line waiting for its instruction
    for l in out.splitlines():
        m = SECTION.match(l)
        if m:
            vma, off = secs[m.group(1)]
            delta = vma - off
            pending = None
            continue
        m = LINE.match(l)
        if not m:
            continue
        off = int(m.group(1), 16) - delta
        nbytes = m.group(2).split()
        text = m.group(3).strip()
        if nbytes[0] == '9b' and text != 'fwait' and '(bad)' not in text:
            fw_off, fw = off, ['9b']
            if pending is not None:
                fw_off, fw, pending = pending[0], pending[1] + fw, None
            insns.append((fw_off, len(fw), 'fwait'))
            off, nbytes = off + 1, nbytes[1:]
            if not nbytes:
                continue
        if pending is not None:
            off, nbytes = pending[0], pending[1] + nbytes
            pending = None
        if is_prefix_line(text) and text != 'fwait':
            pending = (off, nbytes)
            continue
        if prefix_before_vex(nbytes):
            text = '(bad) for the CPU: ' + text
        insns.append((off, len(nbytes), text))
        if text.split()[:1] in (['syscall'], ['sysenter']) and len(nbytes) == 2:
            sys_sites.append(off)
    return insns, sys_sites


def zpscan_all(zpscan, path):
    out = subprocess.run([zpscan, '--all', path], check=True,
                         capture_output=True, text=True).stdout
    return {int(a, 16): int(b) for a, b in (l.split() for l in out.splitlines())}


def zpscan_sites(zpscan, path, flags=()):
    out = subprocess.run([zpscan, *flags, path], check=True,
                         capture_output=True, text=True).stdout
    return [int(l.split()[1], 16) for l in out.splitlines()
            if l.startswith('site ')]


def compare(path, zpscan, sites_equal):
    insns, od_sites = objdump(path)
    mine = zpscan_all(zpscan, path)
    agree = disagree = skipped = bad = 0
    resync = False  # after a (bad), until a shared boundary
    bad_offs = []
    shown = 0
    for off, n, text in insns:
        if '(bad)' in text or text.startswith('.byte'):
            bad += 1
            bad_offs.append(off)
            resync = True
            continue
        if resync and off not in mine:
            skipped += 1
            continue
        resync = False
        if mine.get(off) == n:
            agree += 1
            continue
        disagree += 1
        if shown < 20:
            shown += 1
            print('  %s: at file offset %#x objdump says %d bytes (%s), '
                  'zp_insn_len says %s' % (path, off, n, text,
                                           mine.get(off, 'no boundary')))
    site_errors = []
    od = set(od_sites)
    counts = []
    # As the runtime finds them (from FDE starts), and with the object's
    # .eh_frame_hdr ignored (the guarded sweep from the segment start).
    for flags in ((), ('--no-eh',)):
        sites = zpscan_sites(zpscan, path, flags)
        counts.append(len(sites))
        mode = ' '.join(('zpscan',) + flags)
        if sites_equal and sorted(sites) != sorted(od):
            site_errors.append('%s sites differ from objdump: only zpscan '
                               '%s, only objdump %s' % (
                                   mode,
                                   [hex(s) for s in sorted(set(sites) - od)],
                                   [hex(s) for s in sorted(od - set(sites))]))
        for s in sites:
            if s not in od:
                site_errors.append('%s: site %#x is no syscall for objdump'
                                   % (mode, s))
            if any(abs(s - b) < BAD_NEAR for b in bad_offs):
                site_errors.append('%s: site %#x is near objdump (bad)'
                                   % (mode, s))
    for e in site_errors:
        print('  %s: %s' % (path, e))
    print('%s: %d instructions agree, %d disagree; %d (bad) from objdump, '
          '%d instructions skipped after them; sites: %d, %d with --no-eh '
          '(objdump: %d syscall/sysenter)' % (
              path, agree, disagree, bad, skipped, counts[0], counts[1],
              len(od_sites)))
    return disagree == 0 and not site_errors and agree > 0


def main():
    args = sys.argv[1:]
    sites_equal = False
    if args and args[0] == '--sites-equal':
        sites_equal = True
        args = args[1:]
    zpscan, files = args[0], args[1:]
    results = [compare(f, zpscan, sites_equal) for f in files]
    print('decoder_objdump: %d passed, %d failed' % (
        results.count(True), results.count(False)))
    sys.exit(0 if all(results) else 1)


if __name__ == '__main__':
    main()

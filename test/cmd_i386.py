#!/usr/bin/env python3
"""cmd_i386.py - writes a minimal i386 program (static, no libc) that exits
with status 5: an executable of another machine, which the kernel runs
where IA-32 emulation is on, and which libzpoline.so can never enter.

    cmd_i386.py FILE
"""
import os
import struct
import sys

BASE = 0x08048000
EHDR, PHDR = 52, 32
CODE = bytes([0xb8, 1, 0, 0, 0,      # mov eax, 1 (exit)
              0xbb, 5, 0, 0, 0,      # mov ebx, 5
              0xcd, 0x80])           # int 0x80
size = EHDR + PHDR + len(CODE)
ident = b"\x7fELF" + bytes([1, 1, 1]) + bytes(9)      # ELFCLASS32, LSB, v1
ehdr = ident + struct.pack("<HHIIIIIHHHHHH",
                           2, 3, 1,                    # ET_EXEC, EM_386, v1
                           BASE + EHDR + PHDR,         # e_entry
                           EHDR, 0, 0,                 # e_phoff, e_shoff, flags
                           EHDR, PHDR, 1, 0, 0, 0)     # sizes, 1 phdr
phdr = struct.pack("<IIIIIIII", 1, 0, BASE, BASE,      # PT_LOAD at offset 0
                   size, size, 5, 0x1000)              # R+X
with open(sys.argv[1], "wb") as f:
    f.write(ehdr + phdr + CODE)
os.chmod(sys.argv[1], 0o755)

"""trace_classes.py - a program that makes calls of every class of the
tracer's "trace" filter, for test/trace_check.sh to run under
`strace -e trace=CLASS` and the tracer with ZPOLINE_TRACE=CLASS at once.

Files and their stat/statfs calls, a socket pair, a signal caught by a
handler, an anonymous mapping, a System V shared memory segment, the
clock's state (adjtimex, read only), credentials, and a child process.
"""
import ctypes
import mmap
import os
import signal
import socket
import subprocess

libc = ctypes.CDLL(None, use_errno=True)
os.stat("/etc/passwd")
os.lstat("/proc/self")
with open("/etc/hostname") as f:
    os.fstat(f.fileno())
    f.read()
os.statvfs("/")
fd = os.open("/", os.O_RDONLY)
os.fstatvfs(fd)
os.close(fd)
a, b = socket.socketpair()
a.send(b"x")
b.recv(1)
a.close()
b.close()
signal.signal(signal.SIGUSR1, lambda *args: None)
os.kill(os.getpid(), signal.SIGUSR1)
m = mmap.mmap(-1, 4096)
m.close()
shm = libc.shmget(0, 4096, 0o600)
libc.shmctl(shm, 0, None)                   # IPC_RMID
timex = ctypes.create_string_buffer(256)    # modes 0: read only
libc.adjtimex(timex)
os.getuid()
os.getgroups()
subprocess.run(["true"])

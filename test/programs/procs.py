"""procs.py - python3.11 workload of programs_check.sh: subprocess,
multiprocessing with the fork and the spawn start methods, and threads.

Everything printed, and every file written under out/ in the current
directory, depends only on this script: results are collected and printed
in a fixed order, never in completion order, and no pid or time is shown.
Run with Debian's /usr/bin/python3.11 (spawn starts sys.executable again).
"""
import concurrent.futures
import hashlib
import multiprocessing
import os
import signal
import subprocess
import sys
import threading


def digest(n):
    """CPU work with a known answer: a chain of sha256 over n."""
    h = hashlib.sha256(str(n).encode())
    for _ in range(3000):
        h = hashlib.sha256(h.digest())
    return n, h.hexdigest()[:16]


def write_file(path, n):
    """A child's output that the driver compares as a file."""
    with open(path, "w") as f:
        for i in range(200):
            f.write(f"{n} {i} {digest(n * 1000 + i)[1]}\n" if i % 50 == 0 else f"{n} {i}\n")


def child_exit(code):
    sys.exit(code)


def child_queue(q, n):
    q.put(digest(n))


def child_pipe(conn):
    while True:
        msg = conn.recv()
        if msg is None:
            break
        conn.send(msg * 2)
    conn.close()


def child_wait(ev):
    ev.wait()


def run_subprocess():
    r = subprocess.run(["sh", "-c", "echo out; echo err >&2; exit 3"], capture_output=True)
    print("run:", r.returncode, r.stdout, r.stderr)
    p = subprocess.Popen(["tr", "a-z", "A-Z"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    out, _ = p.communicate(b"through a pipe\n" * 1000)
    print("communicate:", p.returncode, len(out), out[:15])
    out = subprocess.check_output([sys.executable, "-c", "import sys; print(sys.argv[1:])", "a b", "c"])
    print("check_output:", out)
    r = subprocess.run(["sh", "-c", "pwd; echo $ZZ"], cwd="/", env={"ZZ": "from env", "PATH": "/usr/bin:/bin"},
                       capture_output=True, text=True)
    print("cwd and env:", r.stdout.split())
    rfd, wfd = os.pipe()
    subprocess.run(["sh", "-c", f"echo passed fd >&{wfd}"], pass_fds=[wfd])
    os.close(wfd)
    print("pass_fds:", os.read(rfd, 100))
    os.close(rfd)
    try:
        subprocess.run(["sleep", "10"], timeout=0.3)
    except subprocess.TimeoutExpired as e:
        print("timeout:", e.cmd)
    try:
        subprocess.run(["/nonexistent/program"])
    except FileNotFoundError as e:
        print("not found:", e.errno, e.filename)
    p1 = subprocess.Popen(["seq", "1", "5000"], stdout=subprocess.PIPE)
    p2 = subprocess.Popen(["sort", "-r"], stdin=p1.stdout, stdout=subprocess.PIPE)
    p1.stdout.close()
    out = p2.communicate()[0]
    print("pipeline:", p1.wait(), p2.returncode, out[:20])
    p = subprocess.Popen(["sleep", "10"])
    p.send_signal(signal.SIGTERM)
    print("killed:", p.wait())


def run_multiprocessing(method):
    ctx = multiprocessing.get_context(method)
    with ctx.Pool(2) as pool:
        print(method, "pool:", pool.map(digest, range(6)))
        print(method, "apply:", pool.apply_async(digest, (99,)).get(timeout=60))
    procs = [ctx.Process(target=write_file, args=(f"out/{method}-{n}.txt", n)) for n in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    print(method, "writers:", [p.exitcode for p in procs])
    p = ctx.Process(target=child_exit, args=(7,))
    p.start()
    p.join()
    print(method, "exit code:", p.exitcode)
    q = ctx.Queue()
    ps = [ctx.Process(target=child_queue, args=(q, n)) for n in (10, 11)]
    for p in ps:
        p.start()
    got = sorted(q.get(timeout=60) for _ in ps)
    for p in ps:
        p.join()
    print(method, "queue:", got)
    a, b = ctx.Pipe()
    p = ctx.Process(target=child_pipe, args=(b,))
    p.start()
    replies = []
    for m in ("x", "yz", 21):
        a.send(m)
        replies.append(a.recv())
    a.send(None)
    p.join()
    print(method, "pipe:", replies)
    ev = ctx.Event()
    p = ctx.Process(target=child_wait, args=(ev,))
    p.start()
    p.terminate()
    p.join()
    print(method, "terminated:", p.exitcode)


def run_threads():
    lock = threading.Lock()
    cond = threading.Condition(lock)
    state = {"count": 0, "turn": 0}
    order = []

    def worker(k):
        for _ in range(2000):
            with lock:
                state["count"] += 1
        with cond:
            cond.wait_for(lambda: state["turn"] == k)
            order.append(k)
            state["turn"] += 1
            cond.notify_all()
        with open(f"out/thread-{k}.txt", "w") as f:
            f.write("".join(f"{k}:{i}\n" for i in range(500)))

    ts = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print("threads:", state["count"], order)
    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        print("executor:", list(ex.map(digest, range(20, 28))))
        outs = list(ex.map(lambda n: subprocess.run(["echo", str(n)], capture_output=True).stdout, range(8)))
        print("subprocesses from threads:", outs)


def main():
    os.makedirs("out", exist_ok=True)
    run_subprocess()
    for method in ("fork", "spawn"):
        run_multiprocessing(method)
    run_threads()


if __name__ == "__main__":
    main()

// ProgThreads.java - java workload of programs_check.sh: a thread pool,
// plain threads with a shared lock and a latch, child processes made with
// ProcessBuilder (pipes both ways, redirected stderr, an exit status, a
// file written by the child, one destroyed), and NullPointerExceptions
// caught, which the JVM raises from the fault of a read through null.
//
// Prints in a fixed order and writes files under out/ in the current
// directory; nothing printed depends on timing.
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.security.MessageDigest;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.AtomicLong;

public class ProgThreads {
	static String chain(long seed, int rounds) throws Exception {
		byte[] h = Long.toString(seed).getBytes(StandardCharsets.UTF_8);
		MessageDigest md = MessageDigest.getInstance("SHA-256");
		for (int i = 0; i < rounds; i++)
			h = md.digest(h);
		StringBuilder sb = new StringBuilder();
		for (int i = 0; i < 8; i++)
			sb.append(String.format("%02x", h[i]));
		return sb.toString();
	}

	static String slurp(InputStream in) throws IOException {
		return new String(in.readAllBytes(), StandardCharsets.UTF_8);
	}

	static void pool() throws Exception {
		ExecutorService ex = Executors.newFixedThreadPool(4);
		List<Future<String>> fs = new ArrayList<>();
		for (int i = 0; i < 16; i++) {
			final int n = i;
			fs.add(ex.submit(() -> n + ":" + chain(n, 20000)));
		}
		for (Future<String> f : fs)
			System.out.println("pool " + f.get());
		ex.shutdown();
		System.out.println("pool terminated " + ex.awaitTermination(60, TimeUnit.SECONDS));
	}

	static void threads() throws Exception {
		final Object lock = new Object();
		final long[] count = { 0 };
		AtomicLong atomic = new AtomicLong();
		CountDownLatch start = new CountDownLatch(1);
		Thread[] ts = new Thread[6];
		for (int i = 0; i < ts.length; i++) {
			final int k = i;
			ts[i] = new Thread(() -> {
				try {
					start.await();
					for (int j = 0; j < 100000; j++) {
						synchronized (lock) { count[0]++; }
						atomic.incrementAndGet();
					}
					Files.writeString(Paths.get("out", "thread-" + k + ".txt"), ("thread " + k + "\n").repeat(200));
				} catch (Exception e) {
					throw new RuntimeException(e);
				}
			});
			ts[i].start();
		}
		start.countDown();
		for (Thread t : ts)
			t.join();
		System.out.println("threads " + count[0] + " " + atomic.get());
	}

	static void processes() throws Exception {
		Process p = new ProcessBuilder("sh", "-c", "tr a-z A-Z; echo to stderr >&2; exit 6").start();
		try (OutputStream o = p.getOutputStream()) {
			o.write("through a pipe\n".repeat(3000).getBytes(StandardCharsets.UTF_8));
		}
		String out = slurp(p.getInputStream()), err = slurp(p.getErrorStream());
		System.out.println("pipes: " + p.waitFor() + " " + out.length() + " " + out.substring(0, 15).trim() + " / " + err.trim());

		p = new ProcessBuilder("sh", "-c", "echo out; echo err >&2").redirectErrorStream(true).start();
		System.out.println("merged: " + slurp(p.getInputStream()).replace('\n', ' ') + p.waitFor());

		p = new ProcessBuilder("sh", "-c", "seq 1 1000 > out/seq.txt; pwd")
			.directory(new File(".")).redirectOutput(new File("out/pwd.txt")).start();
		System.out.println("to a file: " + p.waitFor() + " " + Files.readAllLines(Paths.get("out/seq.txt")).size());

		p = new ProcessBuilder("sleep", "10").start();
		p.destroy();
		System.out.println("destroyed: " + p.waitFor());

		try {
			new ProcessBuilder("/nonexistent/program").start();
		} catch (IOException e) {
			System.out.println("not found: " + e.getMessage().contains("error=2"));
		}
		System.err.println("stderr: processes done");
	}

	int field;

	static void nulls() {
		int[] array = null;
		ProgThreads object = null;
		try {
			System.out.println("null array length " + array.length);
		} catch (NullPointerException e) {
			System.out.println("NullPointerException: " + e.getMessage());
		}
		try {
			System.out.println("null object's field " + object.field);
		} catch (NullPointerException e) {
			System.out.println("NullPointerException: " + e.getMessage());
		}
	}

	public static void main(String[] args) throws Exception {
		Files.createDirectories(Paths.get("out"));
		nulls();
		pool();
		threads();
		processes();
		System.exit(3);
	}
}

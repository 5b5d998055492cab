#!/bin/sh
# tarxz.sh - tar/xz workload of programs_check.sh: a tree of files (text,
# incompressible, empty, a symlink, a hard link, nested directories) goes
# through tar | xz -T2 (two threads, 256 KiB blocks), is tested, listed and extracted
# with tar -J (tar runs xz itself), and compared with the original.
# Dates and owners are fixed in the archive, so its bytes depend only on
# this script.
set -eu
mkdir -p src/a/b/c src/empty-dir
i=0
while [ $i -lt 40 ]; do
	seq $((i * 500)) $((i * 500 + 3000)) >"src/a/text$i.txt"
	i=$((i + 1))
done
# Park-Miller: every product stays below 2^53, exact in awk's doubles.
awk 'BEGIN { x = 1; for (i = 0; i < 1000000; i++) { x = (x * 16807) % 2147483647; printf "%c", 32 + x % 95 } }' \
	>src/a/b/noise.bin
: >src/a/b/c/empty
ln -s ../text1.txt src/a/b/link
ln src/a/text2.txt src/a/b/c/hard
tar --sort=name --mtime=@1700000000 --owner=0 --group=0 --numeric-owner -cf - src |
	xz -T2 -6 --block-size=262144 >src.tar.xz
xz -t src.tar.xz
xz -l src.tar.xz | sed 's/  */ /g'
tar --numeric-owner -tvJf src.tar.xz
mkdir out
tar -xJf src.tar.xz -C out
diff -r src out/src && echo "extracted tree equals the original"
xz -d -T2 -c src.tar.xz | sha256sum
xz -T2 -9e -c src/a/b/noise.bin | xz -d -c | cmp - src/a/b/noise.bin && echo "noise round trip"

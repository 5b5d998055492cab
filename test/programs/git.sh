#!/bin/sh
# git.sh - git workload of programs_check.sh: init, commits on two branches,
# a merge and a tag, clone --no-local (upload-pack and index-pack talk
# through pipes), gc (repack, pack-objects with 2 threads, prune), fsck.
#
# Runs in the current directory.  Identity, dates and configuration come
# from the environment only, so every object id, every pack and every
# line printed is a function of this script: the native and the hooked run
# must agree byte for byte (the driver leaves out only .git/index, which
# records inode numbers and change times).
set -eu
export GIT_AUTHOR_NAME="A U Thor" GIT_AUTHOR_EMAIL="author@example.com"
export GIT_COMMITTER_NAME="C O Mitter" GIT_COMMITTER_EMAIL="committer@example.com"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export HOME="$PWD" TZ=UTC LC_ALL=C

at() {	# at SECONDS: the date of the next commit
	export GIT_AUTHOR_DATE="@$1 +0000" GIT_COMMITTER_DATE="@$1 +0000"
}

# files N TAG: N text files whose contents depend on N and TAG only.
files() {
	i=1
	while [ $i -le "$1" ]; do
		mkdir -p "d$((i % 7))"
		awk -v n=$i -v t="$2" 'BEGIN { for (k = 0; k < 40 + n; k++)
			printf "%s line %d of file %d: %d\n", t, k, n, (k * n * 2654435761) % 1000003 }' \
			>"d$((i % 7))/f$i.txt"
		i=$((i + 1))
	done
}

at 1700000000
git init -q -b main repo
cd repo
git config pack.threads 2
files 120 one
git add .
git commit -q -m "first: 120 files"
echo "first commit $(git rev-parse HEAD)"

at 1700000100
git checkout -q -b topic
files 60 two
git rm -q d3/f101.txt
git commit -q -a -m "topic: rewrite 60 files, drop one"

at 1700000200
git checkout -q main
printf 'main only\n' >MAIN
git add MAIN
git commit -q -m "main: add MAIN"

at 1700000300
git merge -q --no-ff -m "merge topic" topic
git tag -a -m "release one" v1
echo "merged $(git rev-parse HEAD) tag $(git rev-parse v1)"
git log --format='%H %T %P %an %ad %s' --date=raw
cd ..

git clone -q --no-local repo clone
cd clone
git config pack.threads 2
echo "clone HEAD $(git rev-parse HEAD) v1 $(git rev-parse 'v1^{commit}')"
git gc -q --aggressive --prune=now
git count-objects -v | grep -v '^size'	# sizes are block-rounded by the file system
for idx in .git/objects/pack/*.idx; do
	git verify-pack -v "$idx" | sort
done
git fsck --full --strict --no-progress
git ls-tree -r HEAD | head -5
git diff --stat HEAD~1 HEAD | tail -1
echo "status: $(git status --porcelain | wc -l) changes"

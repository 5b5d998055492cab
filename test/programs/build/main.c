/* main.c - the build workload's program: fills tables in four threads,
 * sorts them, prints a digest of each.  Its output depends on nothing
 * but its code. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include "x.h"

#define N 200000

struct job { uint32_t seed; uint32_t *v; char hex[65]; };

static void *run(void *arg)
{
	struct job *j = arg;
	uint8_t d[32];

	j->v = malloc(N * sizeof *j->v);
	table_fill(j->v, N, j->seed);
	sort_u32(j->v, N);
	sha256(j->v, N * sizeof *j->v, d);
	text_hex(d, sizeof d, j->hex);
	free(j->v);
	return NULL;
}

int main(void)
{
	struct job jobs[4];
	pthread_t t[4];

	for (int i = 0; i < 4; i++) {
		jobs[i].seed = 12345u * (i + 1);
		pthread_create(&t[i], NULL, run, &jobs[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		printf("table %d: %s\n", i, jobs[i].hex);
	}
	return 0;
}

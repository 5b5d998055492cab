/* table.c - pseudo-random tables (xorshift32) for the build workload. */
#include "x.h"

void table_fill(uint32_t *v, size_t n, uint32_t seed)
{
	uint32_t x = seed ? seed : 1;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		v[i] = x;
	}
}

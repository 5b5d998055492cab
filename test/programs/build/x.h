/* x.h - what the files of the build workload share. */
#include <stddef.h>
#include <stdint.h>

void sha256(const void *data, size_t len, uint8_t out[32]);
void sort_u32(uint32_t *v, size_t n);
void table_fill(uint32_t *v, size_t n, uint32_t seed);
void text_hex(const uint8_t *b, size_t n, char *out);

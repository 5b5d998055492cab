/*
 * hook_dec.h - for test hooks built without libc: writes v in decimal at
 * p and returns the end.  No NUL is written.
 */
static char *put_dec(char *p, long v)
{
	char d[24];
	int k = 0;
	unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
	do
		d[k++] = '0' + u % 10;
	while (u /= 10);
	if (v < 0)
		*p++ = '-';
	while (k)
		*p++ = d[--k];
	return p;
}

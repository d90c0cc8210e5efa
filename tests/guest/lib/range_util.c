// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "range_util.h"

int read_maps(struct map_ent **out)
{
	FILE *f = fopen("/proc/self/maps", "re");
	struct map_ent *v = NULL;
	char line[512];
	int n = 0, cap = 0;

	if (!f)
		abort();
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e, off, ino;
		unsigned int ma, mi;
		char perms[8];

		if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu", &s, &e, perms, &off, &ma, &mi,
			   &ino) != 7)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				abort();
		}
		v[n].start = s;
		v[n].end = e;
		memcpy(v[n].perms, perms, 4);
		v[n].perms[4] = 0;
		v[n].ino = ino;
		n++;
	}
	fclose(f);
	*out = v;
	return n;
}

bool range_mapped(uint64_t addr, uint64_t len)
{
	struct map_ent *v;
	int n = read_maps(&v);
	uint64_t cur = addr;

	for (int i = 0; i < n && cur < addr + len; i++)
		if (v[i].start <= cur && v[i].end > cur)
			cur = v[i].end;
	free(v);
	return cur >= addr + len;
}

bool range_touched(uint64_t addr, uint64_t len)
{
	struct map_ent *v;
	int n = read_maps(&v);
	bool hit = false;

	for (int i = 0; i < n; i++)
		if (v[i].start < addr + len && v[i].end > addr)
			hit = true;
	free(v);
	return hit;
}

bool map_at(uint64_t addr, struct map_ent *out)
{
	struct map_ent *v;
	int n = read_maps(&v);
	bool found = false;

	for (int i = 0; i < n; i++) {
		if (v[i].start <= addr && v[i].end > addr) {
			*out = v[i];
			found = true;
		}
	}
	free(v);
	return found;
}

uint64_t rnd(void)
{
	static uint64_t s = 0x9e3779b97f4a7c15ULL;

	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return s;
}

bool in_allowed(uint64_t a, uint64_t len, uint64_t lo, uint64_t hi)
{
	uint64_t ps = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t e = a + len;

	if (lo < hi) {
		lo = (lo + ps - 1) & ~(ps - 1);
		hi &= ~(ps - 1);
		return a >= lo && e <= hi && e > a;
	}
	lo = (lo + ps - 1) & ~(ps - 1);
	hi &= ~(ps - 1);
	return a >= lo || e <= hi;
}

/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers for the ranged-mapping tests (64-bit only). */
#ifndef RANGE_UTIL_H
#define RANGE_UTIL_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

/* One line of /proc/self/maps. */
struct map_ent {
	uint64_t start, end;
	char perms[5];
	uint64_t ino;
};

/* Is [addr, addr+len) fully covered by mappings?  Reads /proc/self/maps. */
bool range_mapped(uint64_t addr, uint64_t len);
/* Does anything intersect [addr, addr+len)? */
bool range_touched(uint64_t addr, uint64_t len);
/* Mapping containing addr; false if none. */
bool map_at(uint64_t addr, struct map_ent *out);
/* /proc/self/maps, sorted by address, in a malloc'ed array; the count. */
int read_maps(struct map_ent **out);
/* xorshift64 */
uint64_t rnd(void);
/* Is [a, a+len) inside the allowed region of (lo, hi), after rounding inward? */
bool in_allowed(uint64_t a, uint64_t len, uint64_t lo, uint64_t hi);

#endif

// CRC-32 with zlib's polynomial (the one FastDFS file names carry).
#pragma once
#include <stddef.h>
#include <stdint.h>

void crc32_init(void);
uint32_t crc32_of(const uint8_t *p, size_t n);

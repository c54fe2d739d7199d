// What fdfs writes as text or fixed bytes (spec §6, §11.5): generated names, trunk slot headers, trunk binlog
// lines, temp-file names.
#pragma once
#include <stddef.h>
#include <stdint.h>

#define SLOT_HEADER_SIZE 24
/** Longest generated name (a trunk name) and its NUL. */
#define NAME_MAX_LEN 61

/** Seed the name randomness and the temp-name prefix once per process. */
void formats_init(void);
/** 0–6 characters of [A-Za-z0-9._-]. */
int valid_ext(const char *ext, size_t n);
/** Store path index, sub high, sub low each a byte. */
int valid_dirs(int path_index, int sub_high, int sub_low);

/** Where a generated name points: store path and directories, and for a trunk slot its locator. */
struct name_place {
  int path_index, sub_high, sub_low;
  /** Trunk id, slot offset, slot size; NULL for a normal file. */
  const int32_t *trunk;
};

/**
 * `Mxx/HH/HH/<B27>[<T16>]<X7>` (§6.1, §6.3–6.6) of a file under 4 GiB into `out` (NAME_MAX_LEN bytes); returns
 * its length. `source` is the 4 source bytes, first byte in the low 8 bits.
 */
int format_name(char *out, uint32_t source, uint32_t timestamp, uint32_t size, uint32_t crc, const char *ext, size_t ext_len,
                const struct name_place *place);
/** The 24-byte header of a regular trunk slot (§6.6); `x7` is its name's last 7 characters. */
void slot_header(uint8_t *out, uint32_t slot_size, uint32_t file_size, uint32_t crc, uint32_t mtime, const char *x7);
/** One trunk binlog line `<ts> <op> <path> <high> <low> <id> <offset> <size>\n` (§11.5) at `out`; its length. */
int journal_line(char *out, int64_t ts, const int32_t op_and_block[7]);
/** `.<this process's 6-character prefix><6 base36>.tmp` (18 bytes and NUL): the shape the temp sweeper removes. */
void temp_name(char *out);

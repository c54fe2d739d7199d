// Generated names, trunk slot headers, trunk binlog lines and temp names, byte for byte as the TypeScript codecs
// (src/protocol/file-id.ts, trunk-slot.ts, src/storage/trunk/free-space.ts) make them.
#define _GNU_SOURCE
#include <string.h>
#include <sys/random.h>
#include <unistd.h>
#include "formats.h"

static const char B64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char HEX[] = "0123456789ABCDEF";

// ---- randomness for names: xorshift64*, seeded once from the kernel ------------------------------------
static uint64_t rng_state;

static uint64_t rng_next(void) {
  uint64_t x = rng_state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  rng_state = x;
  return x * 0x2545F4914F6CDD1Dull;
}

static char temp_prefix[7];
static uint32_t temp_counter;

void formats_init(void) {
  if (getrandom(&rng_state, sizeof(rng_state), 0) != sizeof(rng_state) || rng_state == 0) {
    rng_state = 0x9E3779B97F4A7C15ull ^ (uint64_t)getpid();
  }
  // A prefix of this process's own: the JavaScript writer has another, so their temp names never meet.
  uint64_t r = rng_next();
  for (int i = 0; i < 6; i++, r >>= 6) temp_prefix[i] = B64URL[r & 63];
}

// ---- names -------------------------------------------------------------------------------------------
static void be32(uint8_t *p, uint32_t v) {
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

/** Three bytes as four base64url characters. */
static char *b64_group(const uint8_t *in, char *out) {
  uint32_t v = (uint32_t)in[0] << 16 | (uint32_t)in[1] << 8 | in[2];
  *out++ = B64URL[v >> 18];
  *out++ = B64URL[(v >> 12) & 63];
  *out++ = B64URL[(v >> 6) & 63];
  *out++ = B64URL[v & 63];
  return out;
}

static char *hex_byte(int v, char *out) {
  *out++ = HEX[v >> 4];
  *out++ = HEX[v & 15];
  return out;
}

int valid_ext(const char *ext, size_t n) {
  if (n > 6) return 0;
  for (size_t i = 0; i < n; i++) {
    char ch = ext[i];
    if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
      return 0;
  }
  return 1;
}

int valid_dirs(int path_index, int sub_high, int sub_low) {
  return path_index >= 0 && path_index <= 255 && sub_high >= 0 && sub_high <= 255 && sub_low >= 0 && sub_low <= 255;
}

int format_name(char *out, uint32_t source, uint32_t timestamp, uint32_t size, uint32_t crc, const char *ext, size_t ext_len,
                const struct name_place *place) {
  // The 20 bytes behind B27: source (its own byte order), timestamp, size field, CRC (§6.3). Size field bit 63:
  // a random part is present; bit 59: a trunk file (§6.4). The 21st byte pads the last base64 group.
  uint8_t facts[21] = {(uint8_t)source, (uint8_t)(source >> 8), (uint8_t)(source >> 16), (uint8_t)(source >> 24)};
  be32(facts + 4, timestamp);
  uint64_t r = rng_next();
  be32(facts + 8, (uint32_t)((r & 0x7fffff) | 0x80000000u | (place->trunk ? 0x08000000u : 0)));
  be32(facts + 12, size);
  be32(facts + 16, crc);
  char *o = out;
  *o++ = 'M';
  o = hex_byte(place->path_index, o);
  *o++ = '/';
  o = hex_byte(place->sub_high, o);
  *o++ = '/';
  o = hex_byte(place->sub_low, o);
  *o++ = '/';
  for (int i = 0; i < 21; i += 3) o = b64_group(facts + i, o);
  o--;  // 27 characters, not 28: the padding byte's last character is not part of it
  if (place->trunk) {
    // T16: trunk id, slot offset, slot size, 12 bytes in 16 characters (§6.6).
    uint8_t loc[12];
    for (int i = 0; i < 3; i++) be32(loc + 4 * i, (uint32_t)place->trunk[i]);
    for (int i = 0; i < 12; i += 3) o = b64_group(loc + i, o);
  }
  // X7: random digits, then the extension with its dot (§6.5).
  int digits = ext_len ? 6 - (int)ext_len : 7;
  r = rng_next();
  for (int i = 0; i < digits; i++, r /= 10) *o++ = (char)('0' + r % 10);
  if (ext_len) {
    *o++ = '.';
    memcpy(o, ext, ext_len);
    o += ext_len;
  }
  *o = 0;
  return (int)(o - out);
}

void slot_header(uint8_t *out, uint32_t slot_size, uint32_t file_size, uint32_t crc, uint32_t mtime, const char *x7) {
  out[0] = 'F';
  be32(out + 1, slot_size);
  be32(out + 5, file_size);
  be32(out + 9, crc);
  be32(out + 13, mtime);
  memcpy(out + 17, x7, 7);
}

// ---- trunk binlog lines --------------------------------------------------------------------------------
/** Decimal digits of `v` at `out`; returns the count. */
static int put_int(char *out, int64_t v) {
  char tmp[24];
  int n = 0, o = 0;
  uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
  do tmp[n++] = (char)('0' + u % 10); while ((u /= 10));
  if (v < 0) out[o++] = '-';
  while (n) out[o++] = tmp[--n];
  return o;
}

int journal_line(char *out, int64_t ts, const int32_t op_and_block[7]) {
  int o = put_int(out, ts);
  out[o++] = ' ';
  out[o++] = (char)op_and_block[0];
  for (int k = 1; k < 7; k++) {
    out[o++] = ' ';
    o += put_int(out + o, op_and_block[k]);
  }
  out[o++] = '\n';
  return o;
}

// ---- temp names --------------------------------------------------------------------------------------
void temp_name(char *out) {
  temp_counter = (temp_counter + 1) % 2176782336u;  // 36^6: the counter keeps its 6 characters
  uint32_t v = temp_counter;
  out[0] = '.';
  memcpy(out + 1, temp_prefix, 6);
  for (int i = 12; i >= 7; i--, v /= 36) out[i] = "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36];
  memcpy(out + 13, ".tmp", 5);
}

// The small-upload store step in C: CRC-32, the generated name (spec §6), the temp file written whole, its
// mtime, and the link under the final name, in one call from JavaScript. The JavaScript version
// (storePlainNow in src/storage/handlers/inline-upload.ts) does the same through a dozen fs wrappers, and
// that wrapper work was most of a storage worker's user time per small upload. Loaded by src/native/fastpath.ts;
// everything else (placement, binlog, counters, the answer) stays in JavaScript.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <node_api.h>

#define NAPI_TRY(call) do { if ((call) != napi_ok) return NULL; } while (0)

// ---- CRC-32 (zlib's polynomial), slice-by-8 ----------------------------------------------------------
static uint32_t crc_table[8][256];

static void crc_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    crc_table[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; i++)
    for (int t = 1; t < 8; t++) crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xff];
}

static uint32_t crc32_of(const uint8_t *p, size_t n) {
  uint32_t c = 0xffffffffu;
  while (n && ((uintptr_t)p & 7)) { c = crc_table[0][(c ^ *p++) & 0xff] ^ (c >> 8); n--; }
  while (n >= 8) {
    uint32_t lo, hi;
    memcpy(&lo, p, 4);
    memcpy(&hi, p + 4, 4);
    lo ^= c;
    c = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^ crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^
        crc_table[3][hi & 0xff] ^ crc_table[2][(hi >> 8) & 0xff] ^ crc_table[1][(hi >> 16) & 0xff] ^ crc_table[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n--) c = crc_table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

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

// ---- names ------------------------------------------------------------------------------------------
static const char B64URL[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char HEX[] = "0123456789ABCDEF";

/** 20 bytes as 27 base64url characters (no padding), like Buffer#toString('base64url'). */
static void b64url20(const uint8_t *in, char *out) {
  int o = 0;
  for (int i = 0; i < 18; i += 3) {
    uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
    out[o++] = B64URL[v >> 18];
    out[o++] = B64URL[(v >> 12) & 63];
    out[o++] = B64URL[(v >> 6) & 63];
    out[o++] = B64URL[v & 63];
  }
  uint32_t v = (uint32_t)in[18] << 16 | (uint32_t)in[19] << 8;
  out[o++] = B64URL[v >> 18];
  out[o++] = B64URL[(v >> 12) & 63];
  out[o++] = B64URL[(v >> 6) & 63];
}

static void be32(uint8_t *p, uint32_t v) {
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

static int valid_ext(const char *ext, size_t n) {
  if (n > 6) return 0;
  for (size_t i = 0; i < n; i++) {
    char ch = ext[i];
    if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
      return 0;
  }
  return 1;
}

/**
 * `Mxx/HH/HH/<B27><X7>` of a normal file under 4 GiB (§6.1, §6.3–6.5) into `out` (at least 45 + 1 bytes);
 * returns its length. `source` is the 4 source bytes, first byte in the low 8 bits.
 */
static int format_name(char *out, uint32_t source, uint32_t timestamp, uint32_t size, uint32_t crc, const char *ext,
                       size_t ext_len, int path_index, int sub_high, int sub_low, const int32_t *trunk) {
  uint8_t facts[20];
  facts[0] = source;
  facts[1] = source >> 8;
  facts[2] = source >> 16;
  facts[3] = source >> 24;
  be32(facts + 4, timestamp);
  uint64_t r = rng_next();
  // Bit 63: a random part is present; bit 59: a trunk file (§6.4).
  be32(facts + 8, (uint32_t)((r & 0x7fffff) | 0x80000000u | (trunk ? 0x08000000u : 0)));
  be32(facts + 12, size);
  be32(facts + 16, crc);
  int o = 0;
  out[o++] = 'M';
  out[o++] = HEX[path_index >> 4];
  out[o++] = HEX[path_index & 15];
  out[o++] = '/';
  out[o++] = HEX[sub_high >> 4];
  out[o++] = HEX[sub_high & 15];
  out[o++] = '/';
  out[o++] = HEX[sub_low >> 4];
  out[o++] = HEX[sub_low & 15];
  out[o++] = '/';
  b64url20(facts, out + o);
  o += 27;
  if (trunk) {
    // T16: trunk id, slot offset, slot size, 12 bytes in 16 base64url characters (§6.6).
    uint8_t loc[12];
    for (int i = 0; i < 3; i++) be32(loc + 4 * i, (uint32_t)trunk[i]);
    for (int i = 0; i < 12; i += 3) {
      uint32_t v = (uint32_t)loc[i] << 16 | (uint32_t)loc[i + 1] << 8 | loc[i + 2];
      out[o++] = B64URL[v >> 18];
      out[o++] = B64URL[(v >> 12) & 63];
      out[o++] = B64URL[(v >> 6) & 63];
      out[o++] = B64URL[v & 63];
    }
  }
  int digits = ext_len ? 6 - (int)ext_len : 7;
  r = rng_next();
  for (int i = 0; i < digits; i++) {
    out[o++] = '0' + (char)(r % 10);
    r /= 10;
  }
  if (ext_len) {
    out[o++] = '.';
    memcpy(out + o, ext, ext_len);
    o += (int)ext_len;
  }
  out[o] = 0;
  return o;
}

// ---- the store step ------------------------------------------------------------------------------------
static char temp_prefix[16];
/** Cleared at the first filesystem that refuses O_TMPFILE. */
static int tmpfile_support = 1;
static uint32_t temp_counter;

/** `.<prefix><6 base36>.tmp`, the shape the temp sweeper removes after a crash. */
static void temp_name(char *out) {
  char digits[6];
  temp_counter = (temp_counter + 1) % 2176782336u;
  uint32_t v = temp_counter;
  for (int i = 5; i >= 0; i--) {
    digits[i] = "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36];
    v /= 36;
  }
  size_t p = strlen(temp_prefix);
  out[0] = '.';
  memcpy(out + 1, temp_prefix, p);
  memcpy(out + 1 + p, digits, 6);
  memcpy(out + 7 + p, ".tmp", 5);
}

static int write_all(int fd, const uint8_t *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    if (w == 0) return -EIO;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/** Parameters in the Int32Array: source, timestamp, store path index, sub high, sub low, fsync, attempts. */
enum { P_SOURCE, P_TIMESTAMP, P_PATH, P_HIGH, P_LOW, P_FSYNC, P_ATTEMPTS, P_COUNT };

/**
 * storeSmall(content: Buffer, dir: string, ext: string, params: Int32Array): string | number.
 * The logical name of the stored file, or a negative errno with nothing left behind: -EEXIST when every
 * attempt's name was taken, -EINVAL for an extension or parameter out of range, the failing call's errno else.
 */
static napi_value store_small(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  NAPI_TRY(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  napi_value result;
  if (argc < 4) {
    NAPI_TRY(napi_create_int32(env, -EINVAL, &result));
    return result;
  }
  void *data;
  size_t length;
  NAPI_TRY(napi_get_buffer_info(env, argv[0], &data, &length));
  char path[4096];
  size_t dir_len;
  NAPI_TRY(napi_get_value_string_utf8(env, argv[1], path, sizeof(path) - 64, &dir_len));
  char ext[16];
  size_t ext_len;
  NAPI_TRY(napi_get_value_string_utf8(env, argv[2], ext, sizeof(ext), &ext_len));
  napi_typedarray_type type;
  size_t count;
  void *pdata;
  NAPI_TRY(napi_get_typedarray_info(env, argv[3], &type, &count, &pdata, NULL, NULL));
  const int32_t *p = pdata;
  int rc = 0;
  if (type != napi_int32_array || count < P_COUNT || length > 0xffffffffu || dir_len >= sizeof(path) - 65 ||
      !valid_ext(ext, ext_len) || p[P_PATH] < 0 || p[P_PATH] > 255 || p[P_HIGH] < 0 || p[P_HIGH] > 255 ||
      p[P_LOW] < 0 || p[P_LOW] > 255) {
    rc = -EINVAL;
  }
  char name[80];
  if (rc == 0) {
    uint32_t crc = crc32_of(data, length);
    path[dir_len] = '/';
    char *leaf = path + dir_len + 1;
    // An unnamed file in the directory (O_TMPFILE), linked under its name once whole: one directory entry per
    // upload, and nothing to clean after a crash. Where the filesystem has none: a named temp file, linked, unlinked.
    char temp[sizeof(path)];
    path[dir_len] = 0;
    int fd = tmpfile_support ? open(path, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644) : -1;
    int unnamed = fd >= 0;
    if (!unnamed && tmpfile_support && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) tmpfile_support = 0;
    path[dir_len] = '/';
    if (unnamed) {
      snprintf(temp, sizeof(temp), "/proc/self/fd/%d", fd);
    } else if (!tmpfile_support || errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) {
      for (int tries = 0; tries < 8; tries++) {
        temp_name(leaf);
        memcpy(temp, path, (size_t)(leaf - path) + strlen(leaf) + 1);
        fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0 || errno != EEXIST) break;
      }
    }
    if (fd < 0) rc = -errno;
    if (rc == 0) {
      rc = write_all(fd, data, length);
      if (rc == 0 && p[P_FSYNC] && fdatasync(fd) < 0) rc = -errno;
      struct timespec times[2] = {{p[P_TIMESTAMP], 0}, {p[P_TIMESTAMP], 0}};
      if (rc == 0 && futimens(fd, times) < 0) rc = -errno;
      // A named temp file is closed before its link; an unnamed one is linked through its descriptor.
      if (!unnamed && close(fd) < 0 && rc == 0) rc = -errno;
      if (rc == 0) {
        rc = -EEXIST;
        for (int attempt = 0; attempt < p[P_ATTEMPTS]; attempt++) {
          int n = format_name(name, (uint32_t)p[P_SOURCE], (uint32_t)p[P_TIMESTAMP], (uint32_t)length, crc, ext, ext_len,
                              p[P_PATH], p[P_HIGH], p[P_LOW], NULL);
          memcpy(leaf, name + 10, (size_t)(n - 10) + 1);
          int linked = unnamed ? linkat(AT_FDCWD, temp, AT_FDCWD, path, AT_SYMLINK_FOLLOW) : link(temp, path);
          if (linked == 0) {
            rc = n;
            break;
          }
          if (errno != EEXIST) {
            rc = -errno;
            // No /proc to link an unnamed file through: the named way from the next upload on.
            if (unnamed && errno == ENOENT) tmpfile_support = 0;
            break;
          }
        }
      }
      if (unnamed) close(fd);
      else unlink(temp);
    }
  }
  if (rc > 0) NAPI_TRY(napi_create_string_latin1(env, name, (size_t)rc, &result));
  else NAPI_TRY(napi_create_int32(env, rc, &result));
  return result;
}

static int pwrite_all(int fd, const uint8_t *p, size_t n, off_t at) {
  while (n) {
    ssize_t w = pwrite(fd, p, n, at);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    if (w == 0) return -EIO;
    p += w;
    n -= (size_t)w;
    at += w;
  }
  return 0;
}

/** Parameters of storeTrunkSlot: those of storeSmall's first five, then trunk id, slot offset, slot size. */
enum { T_SOURCE, T_TIMESTAMP, T_PATH, T_HIGH, T_LOW, T_TRUNK_ID, T_OFFSET, T_SLOT_SIZE, T_COUNT };

/**
 * storeTrunkSlot(content: Buffer, fd: number, ext: string, params: Int32Array): string | number.
 * Writes the 24-byte slot header (§6.6) and the content at the slot's offset of the open trunk file and returns
 * the slot's name, or a negative errno. One positional write for both; should it fall short, the header is
 * zeroed and written again last, so a slot never shows a header over partial content.
 */
static napi_value store_trunk_slot(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  NAPI_TRY(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  napi_value result;
  void *data = NULL;
  size_t length = 0;
  int32_t fd = -1;
  char ext[16];
  size_t ext_len = 0;
  napi_typedarray_type type = napi_int8_array;
  size_t count = 0;
  void *pdata = NULL;
  int rc = 0;
  if (argc < 4 || napi_get_buffer_info(env, argv[0], &data, &length) != napi_ok || napi_get_value_int32(env, argv[1], &fd) != napi_ok ||
      napi_get_value_string_utf8(env, argv[2], ext, sizeof(ext), &ext_len) != napi_ok ||
      napi_get_typedarray_info(env, argv[3], &type, &count, &pdata, NULL, NULL) != napi_ok) {
    rc = -EINVAL;
  }
  const int32_t *p = pdata;
  if (rc == 0 && (type != napi_int32_array || count < T_COUNT || fd < 0 || !valid_ext(ext, ext_len) || p[T_PATH] < 0 ||
                  p[T_PATH] > 255 || p[T_HIGH] < 0 || p[T_HIGH] > 255 || p[T_LOW] < 0 || p[T_LOW] > 255 || p[T_OFFSET] < 0 ||
                  p[T_SLOT_SIZE] < 24 || length > (size_t)p[T_SLOT_SIZE] - 24)) {
    rc = -EINVAL;
  }
  char name[80];
  if (rc == 0) {
    uint32_t crc = crc32_of(data, length);
    rc = format_name(name, (uint32_t)p[T_SOURCE], (uint32_t)p[T_TIMESTAMP], (uint32_t)length, crc, ext, ext_len, p[T_PATH], p[T_HIGH],
                     p[T_LOW], p + T_TRUNK_ID);
    uint8_t header[24];
    header[0] = 'F';
    be32(header + 1, (uint32_t)p[T_SLOT_SIZE]);
    be32(header + 5, (uint32_t)length);
    be32(header + 9, crc);
    be32(header + 13, (uint32_t)p[T_TIMESTAMP]);
    memcpy(header + 17, name + rc - 7, 7);
    struct iovec iov[2] = {{header, 24}, {data, length}};
    off_t at = p[T_OFFSET];
    ssize_t w;
    do w = pwritev(fd, iov, 2, at); while (w < 0 && errno == EINTR);
    if (w != (ssize_t)(24 + length)) {
      int err = w < 0 ? -errno : 0;
      static const uint8_t zeros[24];
      if (err == 0) err = pwrite_all(fd, zeros, 24, at);
      if (err == 0) err = pwrite_all(fd, data, length, at + 24);
      if (err == 0) err = pwrite_all(fd, header, 24, at);
      if (err < 0) rc = err;
    }
  }
  if (rc > 0) NAPI_TRY(napi_create_string_latin1(env, name, (size_t)rc, &result));
  else NAPI_TRY(napi_create_int32(env, rc, &result));
  return result;
}

/** Decimal digits of `v` at `out`; returns the count. */
static int put_int(char *out, int64_t v) {
  char tmp[24];
  int n = 0, o = 0;
  uint64_t u = v < 0 ? (uint64_t)(-v) : (uint64_t)v;
  do tmp[n++] = (char)('0' + u % 10); while ((u /= 10));
  if (v < 0) out[o++] = '-';
  while (n) out[o++] = tmp[--n];
  return o;
}

/**
 * writeJournal(fd: number, timestamp: number, ops: Int32Array, count: number): number. Trunk binlog records
 * `<ts> <op> <path> <high> <low> <trunk id> <offset> <size>` (§11.5), 7 numbers per record in `ops` (the op as
 * its character code), appended in one write: the bytes written, or a negative errno (-EIO: written short).
 */
static napi_value write_journal(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  NAPI_TRY(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd = -1, count = 0;
  int64_t ts = 0;
  napi_typedarray_type type = napi_int8_array;
  size_t length = 0;
  void *pdata = NULL;
  int rc = 0;
  char text[16 * 96];
  if (argc < 4 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || napi_get_value_int64(env, argv[1], &ts) != napi_ok ||
      napi_get_typedarray_info(env, argv[2], &type, &length, &pdata, NULL, NULL) != napi_ok ||
      napi_get_value_int32(env, argv[3], &count) != napi_ok || type != napi_int32_array || count < 0 || count > 16 ||
      (size_t)count * 7 > length) {
    rc = -EINVAL;
  }
  if (rc == 0) {
    const int32_t *p = pdata;
    int o = 0;
    for (int i = 0; i < count; i++, p += 7) {
      o += put_int(text + o, ts);
      text[o++] = ' ';
      text[o++] = (char)p[0];
      for (int k = 1; k < 7; k++) {
        text[o++] = ' ';
        o += put_int(text + o, p[k]);
      }
      text[o++] = '\n';
    }
    ssize_t w;
    do w = write(fd, text, (size_t)o); while (w < 0 && errno == EINTR);
    // A short write (a full disk) leaves a torn last line, which readers skip; the caller reports it.
    rc = w < 0 ? -errno : w != o ? -EIO : (int)w;
  }
  napi_value result;
  NAPI_TRY(napi_create_int32(env, rc, &result));
  return result;
}

/** The stamp of readSmallChecked: inode, size, mtime and ctime in ms (as Node's Stats computes them). */
enum { S_INO, S_SIZE, S_MTIME_MS, S_CTIME_MS, S_COUNT };

/**
 * readSmallChecked(path: string, expectedSize: number, expectedCrc: number, headroom: number, maxSize: number,
 * stamp: Float64Array): Buffer | number. A whole stored file of at most `maxSize` bytes read in one step and
 * checked against the size and CRC-32 its name carries: a buffer with `headroom` spare bytes in front, the
 * file's stamp in `stamp`. A negative errno otherwise (-EIO: size or CRC differ; -EFBIG: larger than maxSize;
 * -EINVAL: not a regular file), nothing kept open.
 */
static napi_value read_small_checked(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  NAPI_TRY(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char path[4096];
  size_t path_len = 0;
  int64_t expected_size = -1, headroom = 0, max_size = 0;
  uint32_t expected_crc = 0;
  napi_typedarray_type type = napi_int8_array;
  size_t count = 0;
  void *sdata = NULL;
  int rc = 0;
  if (argc < 6 || napi_get_value_string_utf8(env, argv[0], path, sizeof(path), &path_len) != napi_ok ||
      napi_get_value_int64(env, argv[1], &expected_size) != napi_ok || napi_get_value_uint32(env, argv[2], &expected_crc) != napi_ok ||
      napi_get_value_int64(env, argv[3], &headroom) != napi_ok || napi_get_value_int64(env, argv[4], &max_size) != napi_ok ||
      napi_get_typedarray_info(env, argv[5], &type, &count, &sdata, NULL, NULL) != napi_ok || type != napi_float64_array ||
      count < S_COUNT || headroom < 0 || headroom > 4096 || max_size < 0 || path_len >= sizeof(path) - 1) {
    rc = -EINVAL;
  }
  napi_value result;
  if (rc == 0) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) rc = -errno;
    struct stat st;
    if (rc == 0 && fstat(fd, &st) < 0) rc = -errno;
    if (rc == 0 && !S_ISREG(st.st_mode)) rc = -EINVAL;
    if (rc == 0 && st.st_size > max_size) rc = -EFBIG;
    if (rc == 0 && st.st_size != expected_size) rc = -EIO;
    if (rc == 0) {
      size_t size = (size_t)st.st_size;
      void *data;
      if (napi_create_buffer(env, (size_t)headroom + size, &data, &result) != napi_ok) {
        close(fd);
        return NULL;
      }
      uint8_t *at = (uint8_t *)data + headroom;
      size_t got = 0;
      while (got < size) {
        ssize_t r = pread(fd, at + got, size - got, (off_t)got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
          rc = r < 0 ? -errno : -EIO;
          break;
        }
        got += (size_t)r;
      }
      if (rc == 0 && crc32_of(at, size) != expected_crc) rc = -EIO;
      if (rc == 0) {
        double *stamp = sdata;
        stamp[S_INO] = (double)st.st_ino;
        stamp[S_SIZE] = (double)st.st_size;
        stamp[S_MTIME_MS] = (double)st.st_mtim.tv_sec * 1e3 + (double)st.st_mtim.tv_nsec / 1e6;
        stamp[S_CTIME_MS] = (double)st.st_ctim.tv_sec * 1e3 + (double)st.st_ctim.tv_nsec / 1e6;
      }
    }
    if (fd >= 0) close(fd);
  }
  if (rc < 0) NAPI_TRY(napi_create_int32(env, rc, &result));
  return result;
}

/** Parameters of readTrunkSlot: slot offset, slot size, file size, CRC-32, mtime. */
enum { R_OFFSET, R_SLOT_SIZE, R_FILE_SIZE, R_CRC, R_MTIME, R_COUNT };

/**
 * readTrunkSlot(fd: number, x7: string, params: Int32Array): Buffer | number. A regular slot's 24-byte header
 * and content read at once from the open trunk file: the buffer (header, then content) when the header is the
 * one its name implies (§6.6) and the content has the name's CRC-32; a negative errno otherwise (-ENOENT: a free,
 * reused or link slot, or other content; -EIO: the file ends inside the slot).
 */
static napi_value read_trunk_slot(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  NAPI_TRY(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd = -1;
  char x7[16];
  size_t x7_len = 0;
  napi_typedarray_type type = napi_int8_array;
  size_t count = 0;
  void *pdata = NULL;
  int rc = 0;
  if (argc < 3 || napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_value_string_utf8(env, argv[1], x7, sizeof(x7), &x7_len) != napi_ok ||
      napi_get_typedarray_info(env, argv[2], &type, &count, &pdata, NULL, NULL) != napi_ok || type != napi_int32_array ||
      count < R_COUNT || x7_len != 7) {
    rc = -EINVAL;
  }
  const int32_t *p = pdata;
  if (rc == 0 && (fd < 0 || p[R_OFFSET] < 0 || p[R_FILE_SIZE] < 0 || (int64_t)p[R_FILE_SIZE] + 24 > p[R_SLOT_SIZE])) rc = -EINVAL;
  napi_value result;
  if (rc == 0) {
    size_t total = 24 + (size_t)p[R_FILE_SIZE];
    void *data;
    NAPI_TRY(napi_create_buffer(env, total, &data, &result));
    uint8_t *buf = data;
    size_t got = 0;
    while (got < total) {
      ssize_t r = pread(fd, buf + got, total - got, (off_t)p[R_OFFSET] + (off_t)got);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        rc = r < 0 ? -errno : -EIO;
        break;
      }
      got += (size_t)r;
    }
    if (rc == 0) {
      uint8_t want[24];
      want[0] = 'F';
      be32(want + 1, (uint32_t)p[R_SLOT_SIZE]);
      be32(want + 5, (uint32_t)p[R_FILE_SIZE]);
      be32(want + 9, (uint32_t)p[R_CRC]);
      be32(want + 13, (uint32_t)p[R_MTIME]);
      memcpy(want + 17, x7, 7);
      if (memcmp(want, buf, 24) != 0 || crc32_of(buf + 24, (size_t)p[R_FILE_SIZE]) != (uint32_t)p[R_CRC]) rc = -ENOENT;
    }
  }
  if (rc < 0) NAPI_TRY(napi_create_int32(env, rc, &result));
  return result;
}

/**
 * appendLine(fd: number, line: string): number. A line of at most 4 KiB (UTF-8) written in one write (an
 * O_APPEND file keeps it whole against other writers): the bytes written, or a negative errno (-EIO: short;
 * -EINVAL: longer than 4 KiB, nothing written).
 */
static napi_value append_line(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  NAPI_TRY(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd = -1;
  char line[4097];
  size_t n = 0;
  int rc = 0;
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_value_string_utf8(env, argv[1], line, sizeof(line), &n) != napi_ok || n >= sizeof(line) - 1) {
    rc = -EINVAL;
  }
  if (rc == 0) {
    ssize_t w;
    do w = write(fd, line, n); while (w < 0 && errno == EINTR);
    rc = w < 0 ? -errno : (size_t)w != n ? -EIO : (int)w;
  }
  napi_value result;
  NAPI_TRY(napi_create_int32(env, rc, &result));
  return result;
}

/** useTmpfile(on: boolean): whether storeSmall tries O_TMPFILE first (tests turn it off to try the named way). */
static napi_value use_tmpfile(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_TRY(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  bool on = true;
  if (argc >= 1) NAPI_TRY(napi_get_value_bool(env, argv[0], &on));
  tmpfile_support = on;
  return NULL;
}

/** crc32(content: Buffer): number, for tests against zlib. */
static napi_value crc32_js(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_TRY(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void *data;
  size_t length;
  NAPI_TRY(napi_get_buffer_info(env, argv[0], &data, &length));
  napi_value result;
  NAPI_TRY(napi_create_uint32(env, crc32_of(data, length), &result));
  return result;
}

/** setTempPrefix(prefix: string): the process's temp-name prefix, the same as the JavaScript writer's. */
static napi_value set_temp_prefix(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  NAPI_TRY(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  size_t n;
  NAPI_TRY(napi_get_value_string_utf8(env, argv[0], temp_prefix, 7, &n));
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  crc_init();
  if (getrandom(&rng_state, sizeof(rng_state), 0) != sizeof(rng_state) || rng_state == 0) rng_state = 0x9E3779B97F4A7C15ull ^ (uint64_t)getpid();
  // Far from where the JavaScript writer's counter starts, so the two rarely meet (O_EXCL settles it when they do).
  temp_counter = 1000000000u + (uint32_t)(rng_next() % 1000000000u);
  memcpy(temp_prefix, "native", 7);
  napi_property_descriptor props[] = {
    {"storeSmall", NULL, store_small, NULL, NULL, NULL, napi_default, NULL},
    {"storeTrunkSlot", NULL, store_trunk_slot, NULL, NULL, NULL, napi_default, NULL},
    {"writeJournal", NULL, write_journal, NULL, NULL, NULL, napi_default, NULL},
    {"readSmallChecked", NULL, read_small_checked, NULL, NULL, NULL, napi_default, NULL},
    {"readTrunkSlot", NULL, read_trunk_slot, NULL, NULL, NULL, napi_default, NULL},
    {"appendLine", NULL, append_line, NULL, NULL, NULL, napi_default, NULL},
    {"useTmpfile", NULL, use_tmpfile, NULL, NULL, NULL, napi_default, NULL},
    {"crc32", NULL, crc32_js, NULL, NULL, NULL, napi_default, NULL},
    {"setTempPrefix", NULL, set_temp_prefix, NULL, NULL, NULL, napi_default, NULL},
  };
  NAPI_TRY(napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

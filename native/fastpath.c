// The Node-API face of the C fast path: the hot steps of small files, one step per call, each answering a name,
// a buffer or a count, or a negative errno with nothing left behind. Every decision (placement, leases,
// counters, answers) stays in TypeScript; src/native/fastpath.ts loads this and says what each call takes.
// Arguments of the wrong type or out of range answer -EINVAL, never an exception.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <node_api.h>
#include "crc32.h"
#include "formats.h"
#include "io.h"
#include "query_loop.h"

#define NAPI_TRY(call) do { if ((call) != napi_ok) return NULL; } while (0)

/** Cleared at the first filesystem that refuses O_TMPFILE, and where /proc is missing. */
static bool tmpfile_support = true;

// ---- arguments ---------------------------------------------------------------------------------------
/** The call's arguments: at most 6, missing ones undefined. */
struct args {
  napi_env env;
  size_t count;
  napi_value v[6];
};

static bool get_args(napi_env env, napi_callback_info info, struct args *a) {
  a->env = env;
  a->count = 6;
  return napi_get_cb_info(env, info, &a->count, a->v, NULL, NULL) == napi_ok;
}

static int buffer_arg(struct args *a, int i, uint8_t **data, size_t *length) {
  return napi_get_buffer_info(a->env, a->v[i], (void **)data, length) == napi_ok ? 0 : -EINVAL;
}

static int int32_arg(struct args *a, int i, int32_t *out) {
  return napi_get_value_int32(a->env, a->v[i], out) == napi_ok ? 0 : -EINVAL;
}

static int int64_arg(struct args *a, int i, int64_t *out) {
  return napi_get_value_int64(a->env, a->v[i], out) == napi_ok ? 0 : -EINVAL;
}

/** A string that fits `size` bytes with its NUL (a longer one is refused, not cut). */
static int string_arg(struct args *a, int i, char *buf, size_t size, size_t *len) {
  return napi_get_value_string_utf8(a->env, a->v[i], buf, size, len) == napi_ok && *len < size - 1 ? 0 : -EINVAL;
}

/** A typed array of `type` with at least `min` elements. */
static int array_arg(struct args *a, int i, napi_typedarray_type type, size_t min, void **data) {
  napi_typedarray_type got;
  size_t count;
  if (napi_get_typedarray_info(a->env, a->v[i], &got, &count, data, NULL, NULL) != napi_ok) return -EINVAL;
  return got == type && count >= min ? 0 : -EINVAL;
}

static napi_value errno_or(napi_env env, int rc, napi_value value) {
  napi_value result = value;
  if (rc < 0) NAPI_TRY(napi_create_int32(env, rc, &result));
  return result;
}

static napi_value count_or_errno(napi_env env, int rc) {
  napi_value result;
  NAPI_TRY(napi_create_int32(env, rc, &result));
  return result;
}

static napi_value name_or_errno(napi_env env, int rc, const char *name) {
  napi_value result = NULL;
  if (rc > 0) NAPI_TRY(napi_create_string_latin1(env, name, (size_t)rc, &result));
  return errno_or(env, rc, result);
}

// ---- storeSmall --------------------------------------------------------------------------------------
/** storeSmall's parameters: source word, timestamp, store path index, sub high, sub low, fsync, name attempts. */
enum { P_SOURCE, P_TIMESTAMP, P_PATH, P_HIGH, P_LOW, P_FSYNC, P_ATTEMPTS, P_COUNT };

/** A file being stored: written whole before it gets a name (see temp_write, temp_link, temp_release). */
struct temp_file {
  int fd;
  /** O_TMPFILE: linked through /proc/self/fd/N; else a named temp file, linked by its path, then removed. */
  bool unnamed;
  /** A named temp file of ours exists at `path` (removed by temp_release). */
  bool created;
  char path[4096];
};

/**
 * An unnamed file in `dir` (O_TMPFILE), or where there is none a named temp file, with `data` written whole,
 * fdatasync'd when asked, mtime `mtime`; a named one is closed (it is linked by path). 0 or -errno; either way
 * temp_release() cleans up.
 */
static int temp_write(struct temp_file *t, const char *dir, size_t dir_len, const uint8_t *data, size_t length, bool sync, time_t mtime) {
  t->fd = -1;
  t->unnamed = t->created = false;
  if (tmpfile_support) {
    t->fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
    if (t->fd >= 0) {
      t->unnamed = true;
      snprintf(t->path, sizeof(t->path), "/proc/self/fd/%d", t->fd);
    } else if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
      return -errno;
    } else {
      tmpfile_support = false;
    }
  }
  if (t->fd < 0) {
    memcpy(t->path, dir, dir_len);
    t->path[dir_len] = '/';
    for (int tries = 0; tries < 8 && t->fd < 0; tries++) {
      temp_name(t->path + dir_len + 1);
      t->fd = open(t->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (t->fd < 0 && errno != EEXIST) break;
    }
    if (t->fd < 0) return -errno;
    t->created = true;
  }
  int rc = pwrite_full(t->fd, data, length, 0);
  if (rc == 0 && sync && fdatasync(t->fd) < 0) rc = -errno;
  const struct timespec times[2] = {{mtime, 0}, {mtime, 0}};
  if (rc == 0 && futimens(t->fd, times) < 0) rc = -errno;
  if (!t->unnamed) {
    if (close(t->fd) < 0 && rc == 0) rc = -errno;
    t->fd = -1;
  }
  return rc;
}

/** The written file linked as `to` (never replacing): 0 or -errno (-EEXIST: taken). */
static int temp_link(struct temp_file *t, const char *to) {
  int linked = t->unnamed ? linkat(AT_FDCWD, t->path, AT_FDCWD, to, AT_SYMLINK_FOLLOW) : link(t->path, to);
  if (linked == 0) return 0;
  // No /proc to link an unnamed file through: the named way from the next file on.
  if (t->unnamed && errno == ENOENT) tmpfile_support = false;
  return -errno;
}

/** Nothing of the temp file left but what was linked. */
static void temp_release(struct temp_file *t) {
  if (t->fd >= 0) close(t->fd);
  if (t->created) unlink(t->path);
}

/** Link `t` under a new name in `path` (its directory part in place): the name's length, or -errno. */
static int link_named(struct temp_file *t, char *path, size_t dir_len, const int32_t *p, uint32_t size, uint32_t crc,
                      const char *ext, size_t ext_len, char *name) {
  const struct name_place place = {p[P_PATH], p[P_HIGH], p[P_LOW], NULL};
  path[dir_len] = '/';
  for (int attempt = 0; attempt < p[P_ATTEMPTS]; attempt++) {
    int n = format_name(name, (uint32_t)p[P_SOURCE], (uint32_t)p[P_TIMESTAMP], size, crc, ext, ext_len, &place);
    // `dir` is the name's HH/HH folder already: the file takes the part after `Mxx/HH/HH/`.
    strcpy(path + dir_len + 1, name + 10);
    int rc = temp_link(t, path);
    if (rc != -EEXIST) return rc < 0 ? rc : n;
  }
  return -EEXIST;
}

/**
 * storeSmall(content: Buffer, dir: string, ext: string, params: Int32Array): string | number. A small file
 * written whole into an unnamed file of `dir`, its mtime the name's timestamp, then linked under its generated
 * name (a taken name: another, up to `attempts`). The logical name, or a negative errno with nothing left behind
 * (-EEXIST: every name taken).
 */
static napi_value store_small(napi_env env, napi_callback_info info) {
  struct args a;
  if (!get_args(env, info, &a)) return NULL;
  uint8_t *data = NULL;
  size_t length = 0;
  char path[4096];
  size_t dir_len = 0;
  char ext[8];
  size_t ext_len = 0;
  int32_t *p = NULL;
  int rc = buffer_arg(&a, 0, &data, &length);
  // Room after the directory for `/HH/HH/<leaf>`'s leaf part.
  if (rc == 0) rc = string_arg(&a, 1, path, sizeof(path) - NAME_MAX_LEN, &dir_len);
  if (rc == 0) rc = string_arg(&a, 2, ext, sizeof(ext), &ext_len);
  if (rc == 0) rc = array_arg(&a, 3, napi_int32_array, P_COUNT, (void **)&p);
  if (rc == 0 && (length > 0xffffffffu || !valid_ext(ext, ext_len) || !valid_dirs(p[P_PATH], p[P_HIGH], p[P_LOW]))) rc = -EINVAL;
  char name[NAME_MAX_LEN];
  if (rc == 0) {
    struct temp_file t = {.fd = -1};
    rc = temp_write(&t, path, dir_len, data, length, p[P_FSYNC] != 0, p[P_TIMESTAMP]);
    if (rc == 0) rc = link_named(&t, path, dir_len, p, (uint32_t)length, crc32_of(data, length), ext, ext_len, name);
    temp_release(&t);
  }
  return name_or_errno(env, rc, name);
}

// ---- storeNamed --------------------------------------------------------------------------------------
/** A leaf name of a directory: not empty, no '/', not "." or "..". */
static bool valid_leaf(const char *leaf, size_t len) {
  if (len == 0 || memchr(leaf, '/', len) != NULL) return false;
  return !(leaf[0] == '.' && (len == 1 || (len == 2 && leaf[1] == '.')));
}

/**
 * storeNamed(content: Buffer, dir: string, leaf: string, mtime: number, fsync: number): number. A file that
 * arrives under its name (a replica) written whole into an unnamed file of `dir` (a named temp file where there
 * is none), its mtime set, then linked as `dir/leaf` without replacing anything. 0, or a negative errno with
 * nothing left behind (-EEXIST: the name is taken).
 */
static napi_value store_named(napi_env env, napi_callback_info info) {
  struct args a;
  if (!get_args(env, info, &a)) return NULL;
  uint8_t *data = NULL;
  size_t length = 0;
  char path[4096];
  size_t dir_len = 0;
  char leaf[NAME_MAX_LEN];
  size_t leaf_len = 0;
  int64_t mtime = 0;
  int32_t fsync_wanted = 0;
  int rc = buffer_arg(&a, 0, &data, &length);
  if (rc == 0) rc = string_arg(&a, 1, path, sizeof(path) - NAME_MAX_LEN - 1, &dir_len);
  if (rc == 0) rc = string_arg(&a, 2, leaf, sizeof(leaf), &leaf_len);
  if (rc == 0) rc = int64_arg(&a, 3, &mtime);
  if (rc == 0) rc = int32_arg(&a, 4, &fsync_wanted);
  if (rc == 0 && (!valid_leaf(leaf, leaf_len) || mtime < 0)) rc = -EINVAL;
  if (rc == 0) {
    struct temp_file t = {.fd = -1};
    rc = temp_write(&t, path, dir_len, data, length, fsync_wanted != 0, (time_t)mtime);
    path[dir_len] = '/';
    memcpy(path + dir_len + 1, leaf, leaf_len + 1);
    if (rc == 0) rc = temp_link(&t, path);
    temp_release(&t);
  }
  return count_or_errno(env, rc);
}

// ---- trunk slots -------------------------------------------------------------------------------------
/** storeTrunkSlot's parameters: storeSmall's first five, then trunk id, slot offset, slot size. */
enum { T_SOURCE, T_TIMESTAMP, T_PATH, T_HIGH, T_LOW, T_TRUNK_ID, T_OFFSET, T_SLOT_SIZE, T_COUNT };

/**
 * storeTrunkSlot(content: Buffer, fd: number, ext: string, params: Int32Array): string | number. The 24-byte
 * slot header (§6.6) and the content at the slot's offset of the open trunk file, in one positional write; should
 * it fall short, the header is zeroed and written again last, so a slot never shows a header over partial
 * content. The slot's name, or a negative errno.
 */
static napi_value store_trunk_slot(napi_env env, napi_callback_info info) {
  struct args a;
  if (!get_args(env, info, &a)) return NULL;
  uint8_t *data = NULL;
  size_t length = 0;
  int32_t fd = -1;
  char ext[8];
  size_t ext_len = 0;
  int32_t *p = NULL;
  int rc = buffer_arg(&a, 0, &data, &length);
  if (rc == 0) rc = int32_arg(&a, 1, &fd);
  if (rc == 0) rc = string_arg(&a, 2, ext, sizeof(ext), &ext_len);
  if (rc == 0) rc = array_arg(&a, 3, napi_int32_array, T_COUNT, (void **)&p);
  if (rc == 0 && (fd < 0 || !valid_ext(ext, ext_len) || !valid_dirs(p[T_PATH], p[T_HIGH], p[T_LOW]) || p[T_OFFSET] < 0 ||
                  p[T_SLOT_SIZE] < SLOT_HEADER_SIZE || length > (size_t)p[T_SLOT_SIZE] - SLOT_HEADER_SIZE)) {
    rc = -EINVAL;
  }
  char name[NAME_MAX_LEN];
  if (rc == 0) {
    uint32_t crc = crc32_of(data, length);
    const struct name_place place = {p[T_PATH], p[T_HIGH], p[T_LOW], p + T_TRUNK_ID};
    rc = format_name(name, (uint32_t)p[T_SOURCE], (uint32_t)p[T_TIMESTAMP], (uint32_t)length, crc, ext, ext_len, &place);
    uint8_t header[SLOT_HEADER_SIZE];
    slot_header(header, (uint32_t)p[T_SLOT_SIZE], (uint32_t)length, crc, (uint32_t)p[T_TIMESTAMP], name + rc - 7);
    struct iovec iov[2] = {{header, SLOT_HEADER_SIZE}, {data, length}};
    off_t at = p[T_OFFSET];
    ssize_t w;
    do w = pwritev(fd, iov, 2, at); while (w < 0 && errno == EINTR);
    if (w != (ssize_t)(SLOT_HEADER_SIZE + length)) {
      static const uint8_t zeros[SLOT_HEADER_SIZE];
      int err = w < 0 ? -errno : pwrite_full(fd, zeros, SLOT_HEADER_SIZE, at);
      if (err == 0) err = pwrite_full(fd, data, length, at + SLOT_HEADER_SIZE);
      if (err == 0) err = pwrite_full(fd, header, SLOT_HEADER_SIZE, at);
      if (err < 0) rc = err;
    }
  }
  return name_or_errno(env, rc, name);
}

/** readTrunkSlot's parameters: slot offset, slot size, file size, CRC-32, mtime. */
enum { R_OFFSET, R_SLOT_SIZE, R_FILE_SIZE, R_CRC, R_MTIME, R_COUNT };

/**
 * readTrunkSlot(fd: number, x7: string, params: Int32Array): Buffer | number. A regular slot's header and content
 * read at once from the open trunk file: the buffer (header, then content) when the header is the one its name
 * implies (§6.6) and the content has the name's CRC-32; a negative errno otherwise (-ENOENT: a free, reused or
 * link slot, or other content; -EIO: the file ends inside the slot).
 */
static napi_value read_trunk_slot(napi_env env, napi_callback_info info) {
  struct args a;
  if (!get_args(env, info, &a)) return NULL;
  int32_t fd = -1;
  char x7[9];
  size_t x7_len = 0;
  int32_t *p = NULL;
  int rc = int32_arg(&a, 0, &fd);
  if (rc == 0) rc = string_arg(&a, 1, x7, sizeof(x7), &x7_len);
  if (rc == 0) rc = array_arg(&a, 2, napi_int32_array, R_COUNT, (void **)&p);
  if (rc == 0 && (x7_len != 7 || fd < 0 || p[R_OFFSET] < 0 || p[R_FILE_SIZE] < 0 ||
                  (int64_t)p[R_FILE_SIZE] + SLOT_HEADER_SIZE > p[R_SLOT_SIZE])) {
    rc = -EINVAL;
  }
  napi_value buffer = NULL;
  if (rc == 0) {
    size_t total = SLOT_HEADER_SIZE + (size_t)p[R_FILE_SIZE];
    uint8_t *buf;
    NAPI_TRY(napi_create_buffer(env, total, (void **)&buf, &buffer));
    rc = pread_full(fd, buf, total, p[R_OFFSET]);
    uint8_t want[SLOT_HEADER_SIZE];
    slot_header(want, (uint32_t)p[R_SLOT_SIZE], (uint32_t)p[R_FILE_SIZE], (uint32_t)p[R_CRC], (uint32_t)p[R_MTIME], x7);
    if (rc == 0 && (memcmp(want, buf, SLOT_HEADER_SIZE) != 0 ||
                    crc32_of(buf + SLOT_HEADER_SIZE, (size_t)p[R_FILE_SIZE]) != (uint32_t)p[R_CRC])) {
      rc = -ENOENT;
    }
  }
  return errno_or(env, rc, buffer);
}

/** Records writeJournal takes in one call (a small upload writes two). */
#define JOURNAL_MAX_OPS 16

/**
 * writeJournal(fd: number, timestamp: number, ops: Int32Array, count: number): number. Trunk binlog records, 7
 * numbers each in `ops` (op character code, path, high, low, trunk id, offset, size), appended in one write: the
 * bytes written, or a negative errno (-EIO: written short).
 */
static napi_value write_journal(napi_env env, napi_callback_info info) {
  struct args a;
  if (!get_args(env, info, &a)) return NULL;
  int32_t fd = -1, count = 0;
  int64_t ts = 0;
  int32_t *ops = NULL;
  int rc = int32_arg(&a, 0, &fd);
  if (rc == 0) rc = int64_arg(&a, 1, &ts);
  if (rc == 0) rc = int32_arg(&a, 3, &count);
  if (rc == 0 && (count < 0 || count > JOURNAL_MAX_OPS)) rc = -EINVAL;
  if (rc == 0) rc = array_arg(&a, 2, napi_int32_array, (size_t)count * 7, (void **)&ops);
  if (rc == 0) {
    char text[JOURNAL_MAX_OPS * 96];
    int o = 0;
    for (int i = 0; i < count; i++) o += journal_line(text + o, ts, ops + 7 * i);
    rc = append_once(fd, text, (size_t)o);
  }
  return count_or_errno(env, rc);
}

// ---- small files read whole ------------------------------------------------------------------------------
/** The stamp readSmallChecked fills: inode, size, mtime and ctime in ms (as Node's Stats computes them). */
enum { S_INO, S_SIZE, S_MTIME_MS, S_CTIME_MS, S_COUNT };

static void stamp_of(const struct stat *st, double *stamp) {
  stamp[S_INO] = (double)st->st_ino;
  stamp[S_SIZE] = (double)st->st_size;
  stamp[S_MTIME_MS] = (double)st->st_mtim.tv_sec * 1e3 + (double)st->st_mtim.tv_nsec / 1e6;
  stamp[S_CTIME_MS] = (double)st->st_ctim.tv_sec * 1e3 + (double)st->st_ctim.tv_nsec / 1e6;
}

/** An open stored file checked before reading: regular, at most `max_size`, of the size its name carries. */
static int check_stat(int fd, int64_t expected_size, int64_t max_size, struct stat *st) {
  if (fstat(fd, st) < 0) return -errno;
  if (!S_ISREG(st->st_mode)) return -EINVAL;
  if (st->st_size > max_size) return -EFBIG;
  return st->st_size == expected_size ? 0 : -EIO;
}

/**
 * readSmallChecked(path: string, expectedSize: number, expectedCrc: number, headroom: number, maxSize: number,
 * stamp: Float64Array): Buffer | number. A whole stored file of at most `maxSize` bytes read in one step and
 * checked against the size and CRC-32 its name carries: a buffer with `headroom` spare bytes in front, the
 * file's stamp in `stamp`. A negative errno otherwise (-EIO: size or CRC differ; -EFBIG: larger than maxSize;
 * -EINVAL: not a regular file), nothing kept open.
 */
static napi_value read_small_checked(napi_env env, napi_callback_info info) {
  struct args a;
  if (!get_args(env, info, &a)) return NULL;
  char path[4096];
  size_t path_len = 0;
  int64_t expected_size = -1, expected_crc = 0, headroom = 0, max_size = 0;
  double *stamp = NULL;
  int rc = string_arg(&a, 0, path, sizeof(path), &path_len);
  if (rc == 0) rc = int64_arg(&a, 1, &expected_size);
  if (rc == 0) rc = int64_arg(&a, 2, &expected_crc);
  if (rc == 0) rc = int64_arg(&a, 3, &headroom);
  if (rc == 0) rc = int64_arg(&a, 4, &max_size);
  if (rc == 0) rc = array_arg(&a, 5, napi_float64_array, S_COUNT, (void **)&stamp);
  if (rc == 0 && (headroom < 0 || headroom > 4096 || max_size < 0)) rc = -EINVAL;
  napi_value buffer = NULL;
  if (rc == 0) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    rc = fd < 0 ? -errno : check_stat(fd, expected_size, max_size, &st);
    uint8_t *data;
    if (rc == 0 && napi_create_buffer(env, (size_t)(headroom + st.st_size), (void **)&data, &buffer) != napi_ok) rc = -ENOMEM;
    if (rc == 0) rc = pread_full(fd, data + headroom, (size_t)st.st_size, 0);
    if (rc == 0 && crc32_of(data + headroom, (size_t)st.st_size) != (uint32_t)expected_crc) rc = -EIO;
    if (rc == 0) stamp_of(&st, stamp);
    if (fd >= 0) close(fd);
  }
  return errno_or(env, rc, buffer);
}

// ---- lines -----------------------------------------------------------------------------------------------
/**
 * appendLine(fd: number, line: string): number. A line of at most 4 KiB (UTF-8) in one write (an O_APPEND file
 * keeps it whole against other writers): the bytes written, or a negative errno (-EIO: short; -EINVAL: longer
 * than 4 KiB, nothing written).
 */
static napi_value append_line(napi_env env, napi_callback_info info) {
  struct args a;
  if (!get_args(env, info, &a)) return NULL;
  int32_t fd = -1;
  char line[4097];
  size_t n = 0;
  int rc = int32_arg(&a, 0, &fd);
  if (rc == 0) rc = string_arg(&a, 1, line, sizeof(line), &n);
  if (rc == 0) rc = append_once(fd, line, n);
  return count_or_errno(env, rc);
}

// ---- for tests -------------------------------------------------------------------------------------------
/** useTmpfile(on: boolean): whether storeSmall tries O_TMPFILE first (tests turn it off to try the named way). */
static napi_value use_tmpfile(napi_env env, napi_callback_info info) {
  struct args a;
  if (!get_args(env, info, &a)) return NULL;
  bool on = true;
  if (a.count >= 1) NAPI_TRY(napi_get_value_bool(env, a.v[0], &on));
  tmpfile_support = on;
  return NULL;
}

/** crc32(content: Buffer): number, against zlib's. */
static napi_value crc32_js(napi_env env, napi_callback_info info) {
  struct args a;
  if (!get_args(env, info, &a)) return NULL;
  uint8_t *data;
  size_t length;
  napi_value result;
  if (buffer_arg(&a, 0, &data, &length) < 0) return count_or_errno(env, -EINVAL);
  NAPI_TRY(napi_create_uint32(env, crc32_of(data, length), &result));
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  crc32_init();
  formats_init();
  napi_property_descriptor props[] = {
    {"storeSmall", NULL, store_small, NULL, NULL, NULL, napi_default, NULL},
    {"storeNamed", NULL, store_named, NULL, NULL, NULL, napi_default, NULL},
    {"storeTrunkSlot", NULL, store_trunk_slot, NULL, NULL, NULL, napi_default, NULL},
    {"writeJournal", NULL, write_journal, NULL, NULL, NULL, napi_default, NULL},
    {"readSmallChecked", NULL, read_small_checked, NULL, NULL, NULL, napi_default, NULL},
    {"readTrunkSlot", NULL, read_trunk_slot, NULL, NULL, NULL, napi_default, NULL},
    {"appendLine", NULL, append_line, NULL, NULL, NULL, napi_default, NULL},
    {"useTmpfile", NULL, use_tmpfile, NULL, NULL, NULL, napi_default, NULL},
    {"crc32", NULL, crc32_js, NULL, NULL, NULL, napi_default, NULL},
    {"queryLoopInit", NULL, query_loop_init, NULL, NULL, NULL, napi_default, NULL},
    {"queryLoopAdopt", NULL, query_loop_adopt, NULL, NULL, NULL, napi_default, NULL},
    {"queryLoopClose", NULL, query_loop_close, NULL, NULL, NULL, napi_default, NULL},
  };
  NAPI_TRY(napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)

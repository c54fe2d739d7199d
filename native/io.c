// Whole positional reads and writes and single appends, EINTR retried, errors as negative errno.
#include <errno.h>
#include <unistd.h>
#include "io.h"

int pwrite_full(int fd, const uint8_t *p, size_t n, off_t at) {
  while (n) {
    ssize_t w = pwrite(fd, p, n, at);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return w < 0 ? -errno : -EIO;
    p += w;
    n -= (size_t)w;
    at += w;
  }
  return 0;
}

int pread_full(int fd, uint8_t *p, size_t n, off_t at) {
  while (n) {
    ssize_t r = pread(fd, p, n, at);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return r < 0 ? -errno : -EIO;
    p += r;
    n -= (size_t)r;
    at += r;
  }
  return 0;
}

int append_once(int fd, const void *p, size_t n) {
  ssize_t w;
  do w = write(fd, p, n); while (w < 0 && errno == EINTR);
  // A short write (a full disk) leaves a torn last line, which readers skip; the caller reports it.
  return w < 0 ? -errno : (size_t)w != n ? -EIO : (int)w;
}

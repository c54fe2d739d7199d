// Whole reads and writes at a position, and one-call appends: each answers 0 (or the bytes) or a negative errno.
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/** `n` bytes at `at`, retried after short writes and EINTR; -EIO if the disk takes none. */
int pwrite_full(int fd, const uint8_t *p, size_t n, off_t at);
/** `n` bytes from `at`; -EIO when the file ends first. */
int pread_full(int fd, uint8_t *p, size_t n, off_t at);
/** One write (an O_APPEND file keeps it whole against other writers): `n`, or -EIO when written short. */
int append_once(int fd, const void *p, size_t n);

// Large downloads go from the page cache to the socket with sendfile(2): no copy into a JavaScript buffer and
// out of it again. The socket stays JavaScript's (it awaits the transfer and writes nothing meanwhile); a copy
// of its descriptor is polled for writability on Node's own loop until the range is out.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>
#include <node_api.h>
#include <uv.h>
#include "send_file.h"

/** The answer's header (and head) sent before the content, in the same segment. */
#define HEAD_MAX 64

struct transfer {
  uv_poll_t poll;
  /** Fails a transfer that made no progress for idle_ms (JavaScript's own timer sees none of its writes). */
  uv_timer_t idle;
  uint64_t idle_ms;
  int handles_open;
  int sock;
  int file;
  off_t offset;
  size_t left;
  uint8_t head[HEAD_MAX];
  size_t head_len, head_sent;
  int status;
  napi_ref done;
};

static napi_env owner_env = NULL;
static napi_ref resource_ref;
static napi_async_context async_context;

/** 0 when all is sent, 1 when the socket is full (wait for writable), or -errno. */
static int push(struct transfer *t) {
  while (t->head_sent < t->head_len) {
    ssize_t n = send(t->sock, t->head + t->head_sent, t->head_len - t->head_sent, MSG_NOSIGNAL | (t->left ? MSG_MORE : 0));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK ? 1 : -errno;
    }
    t->head_sent += (size_t)n;
  }
  while (t->left > 0) {
    ssize_t n = sendfile(t->sock, t->file, &t->offset, t->left > 0x7ffff000 ? 0x7ffff000 : t->left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK ? 1 : -errno;
    }
    // The file ended before the range did (it shrank).
    if (n == 0) return -EIO;
    t->left -= (size_t)n;
  }
  return 0;
}

/** Both handles closed: the copy of the socket goes, and JavaScript hears how it ended (unless `done` is gone). */
static void handle_closed(uv_handle_t *handle) {
  struct transfer *t = handle->data;
  if (--t->handles_open > 0) return;
  close(t->sock);
  napi_handle_scope scope;
  napi_value resource, fn, status, ignored;
  if (t->done && napi_open_handle_scope(owner_env, &scope) == napi_ok) {
    napi_get_reference_value(owner_env, resource_ref, &resource);
    napi_get_reference_value(owner_env, t->done, &fn);
    napi_create_int32(owner_env, t->status, &status);
    // Runs the callback as Node runs its own: the promise's continuations run when it returns.
    if (napi_make_callback(owner_env, async_context, resource, fn, 1, &status, &ignored) != napi_ok) {
      napi_get_and_clear_last_exception(owner_env, &ignored);
    }
    napi_close_handle_scope(owner_env, scope);
  }
  if (t->done) napi_delete_reference(owner_env, t->done);
  free(t);
}

static void end_transfer(struct transfer *t, int status) {
  t->status = status;
  uv_poll_stop(&t->poll);
  uv_timer_stop(&t->idle);
  uv_close((uv_handle_t *)&t->poll, handle_closed);
  uv_close((uv_handle_t *)&t->idle, handle_closed);
}

static void on_writable(uv_poll_t *poll, int status, int events) {
  struct transfer *t = poll->data;
  size_t before = t->left + (t->head_len - t->head_sent);
  int rc = status < 0 ? status : push(t);
  if (rc != 1) end_transfer(t, rc);
  else if (t->idle_ms && t->left + (t->head_len - t->head_sent) != before) uv_timer_again(&t->idle);
}

static void on_idle(uv_timer_t *timer) {
  end_transfer(timer->data, -ETIMEDOUT);
}

/** Poll the socket copy for writability, and time out a transfer that stalls: 1, or -errno with nothing live. */
static int watch(struct transfer *t, uv_loop_t *loop, uint64_t idle_ms) {
  int rc = uv_poll_init(loop, &t->poll, t->sock);
  if (rc != 0) return rc;
  t->poll.data = t;
  t->idle.data = t;
  t->idle_ms = idle_ms;
  if ((rc = uv_timer_init(loop, &t->idle)) != 0) {
    // Only the poll is live: its close still frees nothing until both count down, so count one.
    t->handles_open = 1;
    t->status = rc;
    uv_close((uv_handle_t *)&t->poll, handle_closed);
    return 1;
  }
  t->handles_open = 2;
  if ((rc = uv_poll_start(&t->poll, UV_WRITABLE, on_writable)) != 0 ||
      (idle_ms && (rc = uv_timer_start(&t->idle, on_idle, idle_ms, idle_ms)) != 0)) {
    end_transfer(t, rc);
  }
  return 1;
}

static bool init_once(napi_env env) {
  if (owner_env != NULL) return owner_env == env;
  napi_value resource, name;
  if (napi_create_object(env, &resource) != napi_ok || napi_create_string_utf8(env, "fdfs.sendFile", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_reference(env, resource, 1, &resource_ref) != napi_ok || napi_async_init(env, resource, name, &async_context) != napi_ok) {
    return false;
  }
  owner_env = env;
  return true;
}

/**
 * sendFile(socketFd, head, fileFd, offset, length, done(status), idleMs = 0): send `head`, then `length` bytes of
 * the file from `offset`, failing with -ETIMEDOUT after idleMs without progress (0: never). 0: all sent now (done
 * is not called); 1: under way, done(0 or -errno) follows; -errno: failed now (-EINVAL, -EBUSY, -ENOMEM, -EMFILE,
 * -ENFILE: nothing was sent; -ECANCELED: failed after part was sent).
 */
napi_value send_file(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7], result;
  int32_t sock_fd, file_fd;
  double offset, length, idle = 0;
  void *head;
  size_t head_len;
  napi_valuetype fn_type;
  int rc;
  uv_loop_t *loop;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 6 ||
      napi_get_value_int32(env, argv[0], &sock_fd) != napi_ok || napi_get_buffer_info(env, argv[1], &head, &head_len) != napi_ok ||
      napi_get_value_int32(env, argv[2], &file_fd) != napi_ok || napi_get_value_double(env, argv[3], &offset) != napi_ok ||
      napi_get_value_double(env, argv[4], &length) != napi_ok || napi_typeof(env, argv[5], &fn_type) != napi_ok || fn_type != napi_function ||
      (argc > 6 && napi_get_value_double(env, argv[6], &idle) != napi_ok) || sock_fd < 0 || file_fd < 0 || offset < 0 || length < 0 ||
      idle < 0 || head_len > HEAD_MAX || napi_get_uv_event_loop(env, &loop) != napi_ok) {
    rc = -EINVAL;
  } else if (!init_once(env)) {
    rc = -EBUSY;
  } else {
    struct transfer *t = calloc(1, sizeof(*t));
    int copy = t ? fcntl(sock_fd, F_DUPFD_CLOEXEC, 0) : -1;
    if (!t) rc = -ENOMEM;
    else if (copy < 0) rc = -errno;
    else {
      t->sock = copy;
      t->file = file_fd;
      t->offset = (off_t)offset;
      t->left = (size_t)length;
      memcpy(t->head, head, head_len);
      t->head_len = head_len;
      rc = push(t);
      bool started = t->head_sent > 0 || t->left != (size_t)length;
      if (rc == 1 && napi_create_reference(env, argv[5], 1, &t->done) != napi_ok) rc = -ENOMEM;
      if (rc == 1) rc = watch(t, loop, (uint64_t)idle);
      if (rc == 1) {
        // Handles are live now: handle_closed frees the transfer (and calls done) from here on.
        t = NULL;
        copy = -1;
      } else if (t->done) {
        napi_delete_reference(env, t->done);
        t->done = NULL;
      }
      // Part of the answer left: not a failure the caller may recover from by sending it another way.
      if (rc < 0 && started && (rc == -EINVAL || rc == -EBUSY || rc == -ENOMEM || rc == -EMFILE || rc == -ENFILE)) rc = -ECANCELED;
    }
    if (rc != 1) {
      if (copy >= 0) close(copy);
      free(t);
    }
  }
  napi_create_int32(env, rc, &result);
  return result;
}

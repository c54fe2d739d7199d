// Client connections of the tracker served on Node's own event loop in C, once JavaScript has answered their
// first query: each whole small request is read, handed to the JS selector for its answer, and the answers of
// one read leave in one send. JavaScript keeps every decision; what it does not answer (null), a request not
// whole in the buffer, or a request too large gives the descriptor back to it, with the bytes not yet answered.
// Saves Node's socket machinery per query (stream callbacks, write requests): most of the tracker's user time.
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <node_api.h>
#include <uv.h>
#include "query_loop.h"

#define HEADER_SIZE 10
/** Requests larger than this (header included) are not answered here. */
#define REQUEST_MAX 512
#define IN_CAP 4096
#define OUT_CAP 16384
#define QUIT_CMD 82

struct conn {
  uv_poll_t poll;
  int fd;
  int id;
  uint8_t in[IN_CAP];
  size_t in_len;
  uint8_t out[OUT_CAP];
  size_t out_len;
  size_t out_sent;
  /** What the poll watches now: re-arming it costs epoll calls, so only on a change. */
  int events;
};

/** The one environment (the main thread's) whose JavaScript answers, and its callbacks. */
static napi_env loop_env = NULL;
static napi_ref answer_ref, closed_ref, hand_back_ref, body_ref, resource_ref;
static napi_async_context async_context;
static uint8_t *shared_body = NULL;
static size_t shared_body_size = 0;

/** Connections by id; an id is the index of its slot. */
static struct conn **slots = NULL;
static int slot_count = 0;

static int free_slot(void) {
  for (int i = 0; i < slot_count; i++) if (!slots[i]) return i;
  int grown = slot_count ? slot_count * 2 : 64;
  struct conn **s = realloc(slots, sizeof(*s) * grown);
  if (!s) return -ENOMEM;
  memset(s + slot_count, 0, sizeof(*s) * (grown - slot_count));
  slots = s;
  int first = slot_count;
  slot_count = grown;
  return first;
}

static void freed(uv_handle_t *handle) {
  free(handle->data);
}

/** Stop watching; `close_fd`: the connection ends here (else the descriptor goes back to JavaScript). */
static void release(struct conn *c, bool close_fd) {
  slots[c->id] = NULL;
  uv_poll_stop(&c->poll);
  if (close_fd) close(c->fd);
  c->poll.data = c;
  uv_close((uv_handle_t *)&c->poll, freed);
}

static napi_value call(napi_ref fn_ref, size_t argc, napi_value *argv) {
  napi_value fn, undefined, result = NULL;
  if (napi_get_reference_value(loop_env, fn_ref, &fn) != napi_ok || napi_get_undefined(loop_env, &undefined) != napi_ok) return NULL;
  if (napi_call_function(loop_env, undefined, fn, argc, argv, &result) != napi_ok) {
    napi_value ignored;
    napi_get_and_clear_last_exception(loop_env, &ignored);
    return NULL;
  }
  return result;
}

static napi_value int_value(int v) {
  napi_value r;
  napi_create_int32(loop_env, v, &r);
  return r;
}

static napi_value copy_of(const uint8_t *data, size_t length) {
  napi_value r;
  void *into;
  if (napi_create_buffer_copy(loop_env, length, data, &into, &r) != napi_ok) return NULL;
  return r;
}

static void notify_closed(struct conn *c) {
  napi_value argv[1] = {int_value(c->id)};
  call(closed_ref, 1, argv);
}

/** The descriptor, the answers not yet sent and the requests not yet answered, back to JavaScript. */
static void hand_back(struct conn *c) {
  napi_value argv[4] = {
    int_value(c->id), int_value(c->fd),
    copy_of(c->out + c->out_sent, c->out_len - c->out_sent), copy_of(c->in, c->in_len),
  };
  release(c, false);
  if (!argv[2] || !argv[3] || !call(hand_back_ref, 4, argv)) close(c->fd);
}

/** The JS answer to one request (copied to the output), or false: not answered here. */
static bool answer(struct conn *c, uint8_t cmd, const uint8_t *body, size_t length) {
  memcpy(shared_body, body, length);
  napi_value argv[3] = {int_value(c->id), int_value(cmd), int_value((int)length)};
  napi_value result = call(answer_ref, 3, argv);
  void *data;
  size_t size;
  if (!result || napi_get_buffer_info(loop_env, result, &data, &size) != napi_ok) return false;
  if (size > OUT_CAP - c->out_len) return false;
  memcpy(c->out + c->out_len, data, size);
  c->out_len += size;
  return true;
}

static uint64_t be64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = (v << 8) | p[i];
  return v;
}

/** Send what is queued: 0 all sent, 1 some left (wait for writable), <0 the connection failed. */
static int flush(struct conn *c) {
  while (c->out_sent < c->out_len) {
    ssize_t n = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK ? 1 : -errno;
    }
    c->out_sent += (size_t)n;
  }
  c->out_len = c->out_sent = 0;
  return 0;
}

static void on_event(uv_poll_t *poll, int status, int events);

static void watch(struct conn *c, int events) {
  if (c->events == events) return;
  c->events = events;
  uv_poll_start(&c->poll, events, on_event);
}

/** Answer the whole requests in the buffer. False: the connection left this loop (handed back or closed). */
static bool serve_buffered(struct conn *c) {
  size_t at = 0;
  bool handing_back = false;
  while (c->in_len - at >= HEADER_SIZE) {
    const uint8_t *h = c->in + at;
    uint64_t pkg_len = be64(h);
    uint8_t cmd = h[8];
    if (cmd == QUIT_CMD && pkg_len == 0 && h[9] == 0) {
      notify_closed(c);
      release(c, true);
      return false;
    }
    if (h[9] != 0 || pkg_len > REQUEST_MAX - HEADER_SIZE || c->in_len - at < HEADER_SIZE + pkg_len ||
        !answer(c, cmd, h + HEADER_SIZE, (size_t)pkg_len)) {
      handing_back = true;
      break;
    }
    at += HEADER_SIZE + pkg_len;
  }
  memmove(c->in, c->in + at, c->in_len - at);
  c->in_len -= at;
  // A partial request waits in JavaScript, which times out a stalled one.
  if (handing_back || c->in_len > 0) {
    hand_back(c);
    return false;
  }
  int rc = flush(c);
  if (rc < 0) {
    notify_closed(c);
    release(c, true);
    return false;
  }
  // Nothing more is read while answers wait for the peer to read them.
  watch(c, rc ? UV_WRITABLE : UV_READABLE);
  return true;
}

static void on_event_in_scope(struct conn *c, int status, int events) {
  if (status < 0) {
    notify_closed(c);
    release(c, true);
    return;
  }
  if (events & UV_WRITABLE) {
    int rc = flush(c);
    if (rc < 0) {
      notify_closed(c);
      release(c, true);
    } else if (rc == 0) {
      watch(c, UV_READABLE);
    }
    return;
  }
  ssize_t n = recv(c->fd, c->in + c->in_len, IN_CAP - c->in_len, 0);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
  if (n <= 0) {
    notify_closed(c);
    release(c, true);
    return;
  }
  c->in_len += (size_t)n;
  serve_buffered(c);
}

static void on_event(uv_poll_t *poll, int status, int events) {
  struct conn *c = poll->data;
  napi_handle_scope scope;
  napi_callback_scope callback_scope;
  napi_value resource;
  if (napi_open_handle_scope(loop_env, &scope) != napi_ok) return;
  napi_get_reference_value(loop_env, resource_ref, &resource);
  // As Node's own callbacks: microtasks and nextTicks queued by the answers run when this returns.
  if (napi_open_callback_scope(loop_env, resource, async_context, &callback_scope) != napi_ok) {
    napi_close_handle_scope(loop_env, scope);
    return;
  }
  on_event_in_scope(c, status, events);
  napi_close_callback_scope(loop_env, callback_scope);
  napi_close_handle_scope(loop_env, scope);
}

napi_value query_loop_init(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4], result, name;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int rc = 0;
  void *body;
  if (loop_env != NULL) rc = loop_env == env ? -EALREADY : -EBUSY;
  else if (argc < 4 || napi_get_buffer_info(env, argv[3], &body, &shared_body_size) != napi_ok || shared_body_size < REQUEST_MAX) rc = -EINVAL;
  if (rc == 0) {
    napi_value resource;
    napi_create_object(env, &resource);
    napi_create_string_utf8(env, "fdfs.queryLoop", NAPI_AUTO_LENGTH, &name);
    if (napi_create_reference(env, argv[0], 1, &answer_ref) != napi_ok || napi_create_reference(env, argv[1], 1, &closed_ref) != napi_ok ||
        napi_create_reference(env, argv[2], 1, &hand_back_ref) != napi_ok || napi_create_reference(env, argv[3], 1, &body_ref) != napi_ok ||
        napi_create_reference(env, resource, 1, &resource_ref) != napi_ok || napi_async_init(env, resource, name, &async_context) != napi_ok) {
      rc = -EINVAL;
    } else {
      shared_body = body;
      loop_env = env;
    }
  }
  napi_create_int32(env, rc, &result);
  return result;
}

/** The one int32 argument of a call from the loop's own environment, or false. */
static bool int32_only_arg(napi_env env, napi_callback_info info, int32_t *out) {
  size_t argc = 1;
  napi_value argv[1];
  return loop_env == env && napi_get_cb_info(env, info, &argc, argv, NULL, NULL) == napi_ok && argc >= 1 &&
         napi_get_value_int32(env, argv[0], out) == napi_ok;
}

/** queryLoopAdopt(fd): serve a copy of the connection `fd` here; its id, or a negative errno. */
napi_value query_loop_adopt(napi_env env, napi_callback_info info) {
  napi_value result;
  int32_t fd = -1;
  int rc;
  uv_loop_t *loop;
  if (!int32_only_arg(env, info, &fd) || fd < 0 || napi_get_uv_event_loop(env, &loop) != napi_ok) {
    rc = -EINVAL;
  } else if ((rc = free_slot()) >= 0) {
    struct conn *c = calloc(1, sizeof(*c));
    int copy = c ? dup(fd) : -1;
    int id = rc;
    if (!c) rc = -ENOMEM;
    else if (copy < 0) rc = -errno;
    else if ((rc = uv_poll_init(loop, &c->poll, copy)) == 0) {
      c->fd = copy;
      c->id = id;
      c->poll.data = c;
      slots[id] = c;
      watch(c, UV_READABLE);
      rc = id;
    }
    if (rc < 0) {
      if (copy >= 0) close(copy);
      free(c);
    }
  }
  napi_create_int32(env, rc, &result);
  return result;
}

/** queryLoopClose(id): end a connection served here (eviction, shutdown); 0, or -ENOENT. */
napi_value query_loop_close(napi_env env, napi_callback_info info) {
  napi_value result;
  int32_t id = -1;
  int rc = -ENOENT;
  if (int32_only_arg(env, info, &id) && id >= 0 && id < slot_count && slots[id]) {
    release(slots[id], true);
    rc = 0;
  }
  napi_create_int32(env, rc, &result);
  return result;
}

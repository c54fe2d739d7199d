// Client connections served on Node's own event loop in C, once JavaScript has answered their first request
// inline (the tracker's queries; the storage's small uploads and downloads): each whole request up to the
// connection's limit is read, handed to JavaScript for its answer, and the answers of one read leave in one send.
// JavaScript keeps every decision; what it does not answer (null), a request over the limit, or a request that
// stays partial gives the descriptor back to it, with the bytes not yet answered.
// Saves Node's socket machinery per request (stream callbacks, buffers, write requests).
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>
#include <node_api.h>
#include <uv.h>
#include "query_loop.h"

#define HEADER_SIZE 10
/** Connections whose limit is this or less (the tracker's) go back to JavaScript with a partial request. */
#define REQUEST_SMALL 512
/** A partial request waits here this long at most, then goes to JavaScript, which times out a stalled one. */
#define STALL_MS 1000
/** Reads land in one buffer of this size (a peer pipelines replicas: as much at once as Node reads). */
#define READ_SIZE 65536
/** A connection's own buffers grown past this for one request or answer are given back once it is done. */
#define KEEP_MAX 16384
#define QUIT_CMD 82

struct conn {
  uv_poll_t poll;
  int fd;
  int id;
  /** Largest request answered here, header included. */
  size_t request_max;
  /** The start of a request not yet whole (NULL while there is none to keep: idle connections hold no buffer). */
  uint8_t *in;
  size_t in_len, in_cap;
  uint8_t *out;
  size_t out_len, out_sent, out_cap;
  /** uv_now when the partial request now in `in` began waiting; 0: none. */
  uint64_t partial_since;
  /** What the poll watches now: re-arming it costs epoll calls, so only on a change. */
  int events;
};

/** The one environment (the main thread's) whose JavaScript answers, and its callbacks. */
static napi_env loop_env = NULL;
static napi_ref answer_ref, closed_ref, hand_back_ref, body_ref, resource_ref;
static napi_async_context async_context;
static uint8_t *shared_body = NULL;
static size_t shared_body_size = 0;
static uint8_t read_buffer[READ_SIZE];
static uv_timer_t stall_timer;
static bool stall_timer_on = false;

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
  struct conn *c = handle->data;
  free(c->in);
  free(c->out);
  free(c);
}

/** Room for `need` bytes in a buffer (allocated on first use): false when memory ran out. */
static bool reserve(uint8_t **buf, size_t *cap, size_t need) {
  if (need <= *cap) return true;
  size_t grown = *cap * 2 > need ? *cap * 2 : need;
  if (grown < 4096) grown = 4096;
  uint8_t *b = realloc(*buf, grown);
  if (!b) return false;
  *buf = b;
  *cap = grown;
  return true;
}

/** A buffer grown for one large request or answer, given back once empty. */
static void shrink(uint8_t **buf, size_t *cap) {
  if (*cap <= KEEP_MAX) return;
  free(*buf);
  *buf = NULL;
  *cap = 0;
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

/** The descriptor, the answers not yet sent and the bytes not yet answered, back to JavaScript. */
static void hand_back_with(struct conn *c, const uint8_t *unanswered, size_t length) {
  napi_value argv[4] = {
    int_value(c->id), int_value(c->fd),
    copy_of(c->out + c->out_sent, c->out_len - c->out_sent), copy_of(unanswered, length),
  };
  release(c, false);
  if (!argv[2] || !argv[3] || !call(hand_back_ref, 4, argv)) close(c->fd);
}

static void hand_back(struct conn *c) {
  hand_back_with(c, c->in, c->in_len);
}

enum answered { ANSWERED, NOT_HERE, OUT_OF_MEMORY };

/** The JS answer to one request, copied to the output; NOT_HERE: JavaScript did not answer it. */
static enum answered answer(struct conn *c, uint8_t cmd, const uint8_t *body, size_t length) {
  memcpy(shared_body, body, length);
  napi_value argv[3] = {int_value(c->id), int_value(cmd), int_value((int)length)};
  napi_value result = call(answer_ref, 3, argv);
  void *data;
  size_t size;
  if (!result || napi_get_buffer_info(loop_env, result, &data, &size) != napi_ok) return NOT_HERE;
  // Answered means done (a file stored): it must be sent, or the connection ends.
  if (!reserve(&c->out, &c->out_cap, c->out_len + size)) return OUT_OF_MEMORY;
  memcpy(c->out + c->out_len, data, size);
  c->out_len += size;
  return ANSWERED;
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
  shrink(&c->out, &c->out_cap);
  return 0;
}

static void ack_now(struct conn *c) {
  // The peer may be waiting for our ACK before it sends the rest (a head, then a body: Nagle).
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
}

static void on_event(uv_poll_t *poll, int status, int events);

static void watch(struct conn *c, int events) {
  if (c->events == events) return;
  c->events = events;
  uv_poll_start(&c->poll, events, on_event);
}

/**
 * Answer the whole requests in `buf` (the shared read buffer, or the connection's own holding a partial request);
 * keep a partial one. False: the connection left this loop (handed back or closed).
 */
static bool serve_buffered(struct conn *c, const uint8_t *buf, size_t len) {
  size_t at = 0;
  bool handing_back = false;
  size_t partial_need = HEADER_SIZE;
  while (len - at >= HEADER_SIZE) {
    const uint8_t *h = buf + at;
    uint64_t pkg_len = be64(h);
    uint8_t cmd = h[8];
    if (cmd == QUIT_CMD && pkg_len == 0 && h[9] == 0) {
      notify_closed(c);
      release(c, true);
      return false;
    }
    if (h[9] != 0 || pkg_len > c->request_max - HEADER_SIZE) {
      handing_back = true;
      break;
    }
    if (len - at < HEADER_SIZE + pkg_len) {
      partial_need = HEADER_SIZE + (size_t)pkg_len;
      break;
    }
    enum answered a = answer(c, cmd, h + HEADER_SIZE, (size_t)pkg_len);
    if (a == OUT_OF_MEMORY) {
      notify_closed(c);
      release(c, true);
      return false;
    }
    if (a == NOT_HERE) {
      handing_back = true;
      break;
    }
    at += HEADER_SIZE + pkg_len;
  }
  size_t left = len - at;
  if (handing_back || (left > 0 && c->request_max <= REQUEST_SMALL)) {
    hand_back_with(c, buf + at, left);
    return false;
  }
  if (left > 0) {
    // Kept in the connection's own buffer, with room for the whole request (partial_need > left always).
    bool own = buf == c->in;
    if (own) memmove(c->in, c->in + at, left);
    if (!reserve(&c->in, &c->in_cap, partial_need)) {
      hand_back_with(c, own ? c->in : buf + at, left);
      return false;
    }
    if (!own) memcpy(c->in, buf + at, left);
    c->in_len = left;
    if (c->partial_since == 0) c->partial_since = uv_now(c->poll.loop);
    ack_now(c);
  } else {
    c->in_len = 0;
    c->partial_since = 0;
    shrink(&c->in, &c->in_cap);
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
  // With a partial request kept, the rest goes after it (its buffer has room for the whole request); else into
  // the shared buffer.
  bool kept = c->in_len > 0;
  uint8_t *into = kept ? c->in + c->in_len : read_buffer;
  ssize_t n = recv(c->fd, into, kept ? c->in_cap - c->in_len : READ_SIZE, 0);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
  if (n <= 0) {
    notify_closed(c);
    release(c, true);
    return;
  }
  if (kept) {
    c->in_len += (size_t)n;
    serve_buffered(c, c->in, c->in_len);
  } else {
    serve_buffered(c, read_buffer, (size_t)n);
  }
}

/** Runs `fn` as Node runs its own callbacks: microtasks and nextTicks queued by the answers run when it returns. */
static void in_js_scope(void (*fn)(struct conn *, int, int), struct conn *c, int status, int events) {
  napi_handle_scope scope;
  napi_callback_scope callback_scope;
  napi_value resource;
  if (napi_open_handle_scope(loop_env, &scope) != napi_ok) return;
  napi_get_reference_value(loop_env, resource_ref, &resource);
  if (napi_open_callback_scope(loop_env, resource, async_context, &callback_scope) != napi_ok) {
    napi_close_handle_scope(loop_env, scope);
    return;
  }
  fn(c, status, events);
  napi_close_callback_scope(loop_env, callback_scope);
  napi_close_handle_scope(loop_env, scope);
}

static void on_event(uv_poll_t *poll, int status, int events) {
  in_js_scope(on_event_in_scope, poll->data, status, events);
}

static void hand_back_stalled(struct conn *c, int status, int events) {
  (void)status;
  (void)events;
  hand_back(c);
}

/** Partial requests that waited STALL_MS go to JavaScript, whose network_timeout then applies. */
static void on_stall_check(uv_timer_t *timer) {
  uint64_t now = uv_now(timer->loop);
  for (int i = 0; i < slot_count; i++) {
    struct conn *c = slots[i];
    if (c && c->partial_since != 0 && now - c->partial_since >= STALL_MS) in_js_scope(hand_back_stalled, c, 0, 0);
  }
}

napi_value query_loop_init(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4], result, name;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int rc = 0;
  void *body;
  if (loop_env != NULL) rc = loop_env == env ? -EALREADY : -EBUSY;
  else if (argc < 4 || napi_get_buffer_info(env, argv[3], &body, &shared_body_size) != napi_ok || shared_body_size < REQUEST_SMALL) rc = -EINVAL;
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

/** The int32 arguments of a call from the loop's own environment (at least `required`, at most 2), or false. */
static bool int32_args(napi_env env, napi_callback_info info, size_t required, int32_t *out) {
  size_t argc = 2;
  napi_value argv[2];
  if (loop_env != env || napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < required) return false;
  for (size_t i = 0; i < argc && i < 2; i++) {
    if (napi_get_value_int32(env, argv[i], &out[i]) != napi_ok) return false;
  }
  return true;
}

static int start_stall_timer(uv_loop_t *loop) {
  if (stall_timer_on) return 0;
  int rc = uv_timer_init(loop, &stall_timer);
  if (rc == 0) rc = uv_timer_start(&stall_timer, on_stall_check, STALL_MS / 2, STALL_MS / 2);
  if (rc != 0) return rc;
  // Never what keeps the process alive.
  uv_unref((uv_handle_t *)&stall_timer);
  stall_timer_on = true;
  return 0;
}

/** queryLoopAdopt(fd, requestMax = 512): serve a copy of the connection `fd` here; its id, or a negative errno. */
napi_value query_loop_adopt(napi_env env, napi_callback_info info) {
  napi_value result;
  int32_t args[2] = {-1, REQUEST_SMALL};
  int32_t fd;
  int rc;
  uv_loop_t *loop;
  if (!int32_args(env, info, 1, args) || (fd = args[0]) < 0 || args[1] <= HEADER_SIZE || (size_t)args[1] - HEADER_SIZE > shared_body_size ||
      napi_get_uv_event_loop(env, &loop) != napi_ok) {
    rc = -EINVAL;
  } else if ((rc = start_stall_timer(loop)) == 0 && (rc = free_slot()) >= 0) {
    struct conn *c = calloc(1, sizeof(*c));
    int copy = c ? dup(fd) : -1;
    int id = rc;
    if (!c) rc = -ENOMEM;
    else if (copy < 0) rc = -errno;
    else if ((rc = uv_poll_init(loop, &c->poll, copy)) == 0) {
      c->fd = copy;
      c->id = id;
      c->request_max = (size_t)args[1];
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
  int32_t args[2] = {-1, 0};
  int rc = -ENOENT;
  int32_t id;
  if (int32_args(env, info, 1, args) && (id = args[0]) >= 0 && id < slot_count && slots[id]) {
    release(slots[id], true);
    rc = 0;
  }
  napi_create_int32(env, rc, &result);
  return result;
}

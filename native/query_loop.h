// Client connections served in C on Node's event loop (query_loop.c).
#ifndef FDFS_QUERY_LOOP_H
#define FDFS_QUERY_LOOP_H
#include <node_api.h>

/** queryLoopInit(answer(id, cmd, bodyLength), closed(id), handBack(id, fd, unsent, unanswered), body): 0 or -errno. */
napi_value query_loop_init(napi_env env, napi_callback_info info);
/** queryLoopAdopt(fd, requestMax = 512): serve a copy of the connection here; its id, or -errno. */
napi_value query_loop_adopt(napi_env env, napi_callback_info info);
/** queryLoopClose(id): end a connection served here; 0 or -ENOENT. */
napi_value query_loop_close(napi_env env, napi_callback_info info);

#endif

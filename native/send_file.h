// Large downloads sent with sendfile(2) on Node's event loop (send_file.c).
#ifndef FDFS_SEND_FILE_H
#define FDFS_SEND_FILE_H
#include <node_api.h>

/** sendFile(socketFd, head, fileFd, offset, length, done(status), idleMs): 0 sent, 1 under way (done follows), or -errno. */
napi_value send_file(napi_env env, napi_callback_info info);

#endif

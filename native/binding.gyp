{
  "targets": [
    {
      "target_name": "fdfs_fastpath",
      "sources": ["fastpath.c", "crc32.c", "formats.c", "io.c", "query_loop.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
